"use client";
// Whether the page is in view: the classroom's thumbnails are fetched only while someone looks.
import { useEffect, useState } from "react";

export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    update();
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  return visible;
}

/** A number that grows every `ms` while the page is visible (a thumbnail's cache-buster). */
export function useVisibleTick(ms: number): number {
  const visible = usePageVisible();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!visible) return;
    // Back in view: show the screens as they are now, then keep refreshing.
    setTick((n) => n + 1);
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [visible, ms]);
  return tick;
}
