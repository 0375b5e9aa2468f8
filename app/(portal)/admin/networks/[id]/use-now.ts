"use client";
// The current time, re-read every second while something on screen counts down (and not otherwise,
// so an idle page does not re-render for nothing).
import { useEffect, useState } from "react";

export function useNow(ticking: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [ticking, intervalMs]);
  return now;
}
