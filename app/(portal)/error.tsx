"use client";
// A failing page keeps the top bar and navigation around it, so the user can go elsewhere.
import { ErrorPanel } from "@/app/_components/error-panel";

export default function PortalError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <ErrorPanel error={error} reset={reset} />;
}
