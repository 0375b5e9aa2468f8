"use client";
// One console connection's life, shared by the graphical and the serial console: fetch a fresh
// single-use ticket (they live 30 s), open the WebSocket through the viewer, follow its state, and
// start over, with a new ticket, on "Reconnect". Unmounting (or switching tabs) closes it.
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { consoleSocketUrl } from "@/app/_lib/console";
import { describeError } from "@/app/_lib/describe-error";
import { readError } from "@/app/_lib/trpc-error";
import { useTRPCClient } from "@/app/_trpc/client";

export type ConsoleKind = "vnc" | "serial";
export type ConsolePhase = "connecting" | "connected" | "disconnected";

export interface ConsoleStatus {
  phase: ConsolePhase;
  /** Why it is disconnected, in words for the person: the server's close reason when it sent one. */
  reason: string | null;
}

export interface ConnectionEvents {
  connected(): void;
  /** `reason` is the server's own text, or null for ours. May be called again with a better reason. */
  disconnected(reason: string | null): void;
}

/** Opens the viewer on `url` and returns how to close it. Throws if the viewer cannot be loaded. */
export type OpenConsole = (url: string, events: ConnectionEvents) => Promise<() => void>;

interface Options {
  instanceId: string;
  kind: ConsoleKind;
  open: OpenConsole;
  /** The ticket was refused because the instance is not running (CONFLICT). */
  onNotRunning: () => void;
  /** False until the viewer is ready to be connected (the serial terminal loads first). */
  enabled?: boolean;
}

export function useConsoleConnection({ instanceId, kind, open, onNotRunning, enabled = true }: Options) {
  const t = useTranslations("console");
  const te = useTranslations("errors");
  const client = useTRPCClient();
  const [status, setStatus] = useState<ConsoleStatus>({ phase: "connecting", reason: null });
  const [attempt, setAttempt] = useState(0);
  // The latest callbacks, without making every render reconnect.
  const latest = useRef({ open, onNotRunning, t, te });
  useEffect(() => {
    latest.current = { open, onNotRunning, t, te };
  });

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let close: (() => void) | null = null;
    let wasConnected = false;
    const { t, te } = latest.current;
    setStatus({ phase: "connecting", reason: null });

    const events: ConnectionEvents = {
      connected() {
        if (cancelled) return;
        wasConnected = true;
        setStatus({ phase: "connected", reason: null });
      },
      disconnected(reason) {
        if (cancelled) return;
        setStatus((prev) => {
          // A late close event without a reason does not replace the one already shown.
          if (prev.phase === "disconnected" && reason === null) return prev;
          return {
            phase: "disconnected",
            reason: reason ?? (wasConnected ? t("reasons.closed") : t("reasons.failed")),
          };
        });
      },
    };

    void (async () => {
      let ticket: { ticket: string; path: string };
      try {
        // A new ticket right before every connection: each opens one socket, once, within 30 s.
        ticket = await client.consoles.createTicket.mutate({ instanceId, kind });
      } catch (err) {
        if (cancelled) return;
        // "The instance is stopped; start it to open its console." The page switches to its "not running" view.
        if (readError(err).code === "CONFLICT") latest.current.onNotRunning();
        // FORBIDDEN, TOO_MANY_REQUESTS (too many consoles open): the server's message says what to do.
        setStatus({ phase: "disconnected", reason: describeError(err, te).message });
        return;
      }
      if (cancelled) return;
      try {
        const closeViewer = await latest.current.open(
          consoleSocketUrl(window.location, ticket.path, ticket.ticket),
          events,
        );
        if (cancelled) closeViewer();
        else close = closeViewer;
      } catch {
        if (!cancelled) setStatus({ phase: "disconnected", reason: t("reasons.viewerFailed") });
      }
    })();

    return () => {
      cancelled = true;
      close?.();
    };
  }, [client, instanceId, kind, attempt, enabled]);

  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  return { status, reconnect };
}
