"use client";
// Catches what the portal's own boundary cannot: failures in the portal layout and on /login.
import { ErrorPanel } from "./_components/error-panel";

export default function RootError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <ErrorPanel error={error} reset={reset} />
    </main>
  );
}
