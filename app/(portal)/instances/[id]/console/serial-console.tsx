"use client";
// The serial console: xterm.js on the instance's serial port. Raw bytes both ways, in binary frames.
// The terminal (and its scrollback) survives a reconnect; only the socket is replaced.
import "@xterm/xterm/css/xterm.css";
import type { Terminal } from "@xterm/xterm";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { closeReasonOf } from "@/app/_lib/console";
import { ConsoleStatusBar } from "./console-status";
import { useConsoleConnection, type OpenConsole } from "./use-console-connection";

const THEME = {
  background: "#0f172a", // slate-900, like the graphical console's frame
  foreground: "#e2e8f0",
  cursor: "#a5b4fc",
  selectionBackground: "#475569",
};

export function SerialConsole({
  instanceId,
  onNotRunning,
}: {
  instanceId: string;
  onNotRunning: () => void;
}) {
  const t = useTranslations("console");
  const containerRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const socketRef = useRef<WebSocket | null>(null);
  const [ready, setReady] = useState(false);
  const [loadFailed, setLoadFailed] = useState(false);

  // The terminal: created once, fitted to its box whenever the box (or the window) changes size.
  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | null = null;
    void (async () => {
      try {
        const [{ Terminal }, { FitAddon }] = await Promise.all([
          import("@xterm/xterm"),
          import("@xterm/addon-fit"),
        ]);
        const container = containerRef.current;
        if (disposed || !container) return;
        const term = new Terminal({
          cursorBlink: true,
          fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
          fontSize: 14,
          // At line height 1 the underscore of common Linux monospace fonts (Liberation Mono, DejaVu Sans
          // Mono) sits below the cell and the next row paints over it: "a_b" reads "a b". A little leading
          // keeps the whole glyph inside its row.
          lineHeight: 1.2,
          scrollback: 5000,
          theme: THEME,
        });
        const fit = new FitAddon();
        term.loadAddon(fit);
        term.open(container);
        const refit = () => {
          try {
            fit.fit();
          } catch {
            // Not laid out (e.g. hidden): the next resize fits it.
          }
        };
        refit();

        const encoder = new TextEncoder();
        const send = (bytes: Uint8Array<ArrayBuffer>) => {
          const socket = socketRef.current;
          if (socket?.readyState === WebSocket.OPEN) socket.send(bytes);
        };
        const onData = term.onData((data) => send(encoder.encode(data)));
        // Some mouse reports are not UTF-8: one character per byte.
        const onBinary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
        const observer = new ResizeObserver(refit);
        observer.observe(container);
        window.addEventListener("resize", refit);

        termRef.current = term;
        setReady(true);
        cleanup = () => {
          window.removeEventListener("resize", refit);
          observer.disconnect();
          onData.dispose();
          onBinary.dispose();
          termRef.current = null;
          term.dispose();
        };
      } catch {
        if (!disposed) setLoadFailed(true);
      }
    })();
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, []);

  const open = useCallback<OpenConsole>(async (url, events) => {
    const term = termRef.current;
    if (!term) throw new Error("The terminal is not ready.");
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      events.connected();
      term.focus();
    };
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      term.write(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
    };
    socket.onclose = (event) => {
      if (socketRef.current === socket) socketRef.current = null;
      events.disconnected(closeReasonOf(event));
    };
    socketRef.current = socket;
    return () => {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socketRef.current === socket) socketRef.current = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close();
    };
  }, []);

  const { status, reconnect } = useConsoleConnection({
    instanceId,
    kind: "serial",
    open,
    onNotRunning,
    enabled: ready,
  });

  return (
    <div className="space-y-3">
      <ConsoleStatusBar
        status={loadFailed ? { phase: "disconnected", reason: t("reasons.viewerFailed") } : status}
        onReconnect={loadFailed ? () => window.location.reload() : reconnect}
      />
      {/* xterm renders into this box; padding keeps the text off the rounded edge. */}
      <div className="overflow-hidden rounded-md bg-slate-900 p-2">
        <div
          ref={containerRef}
          data-testid="serial-terminal"
          role="group"
          aria-label={t("terminalLabel")}
          className="h-[70vh] min-h-72 w-full"
        />
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">{t("serialHint")}</p>
    </div>
  );
}
