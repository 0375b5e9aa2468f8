"use client";
// The connection's state above either console: a badge ("Connecting…", "Connected", "Disconnected"),
// the reason once it is disconnected (e.g. "Closed after 15 minutes without activity"), and "Reconnect".
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/app/_components/badge";
import { Button } from "@/app/_components/button";
import type { ConsolePhase, ConsoleStatus } from "./use-console-connection";

const TONE: Record<ConsolePhase, BadgeTone> = {
  connecting: "info",
  connected: "success",
  disconnected: "neutral",
};

export function ConsoleStatusBar({
  status,
  onReconnect,
  children,
}: {
  status: ConsoleStatus;
  onReconnect: () => void;
  children?: ReactNode;
}) {
  const t = useTranslations("console");
  const disconnected = status.phase === "disconnected";
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <div className="flex min-w-0 flex-wrap items-center gap-2">
        {/* Polite live region: the change to "Connected" or "Disconnected" is announced. */}
        <p
          role="status"
          data-testid="console-state"
          data-state={status.phase}
          className="flex min-w-0 flex-wrap items-center gap-2 text-sm"
        >
          <Badge tone={TONE[status.phase]}>
            {status.phase === "connecting" && (
              <span aria-hidden className="mr-1.5 size-1.5 animate-pulse rounded-full bg-current" />
            )}
            {t(`states.${status.phase}`)}
          </Badge>
          {disconnected && status.reason && (
            <span data-testid="console-reason" className="break-words text-slate-600 dark:text-slate-300">
              {status.reason}
            </span>
          )}
        </p>
        {disconnected && (
          <Button size="sm" onClick={onReconnect}>
            {t("reconnect")}
          </Button>
        )}
      </div>
      {children && <div className="flex flex-wrap items-center gap-2">{children}</div>}
    </div>
  );
}
