"use client";
// The graphical console: noVNC on the instance's VNC display, through the portal's WebSocket proxy.
// noVNC touches `window` as soon as it loads, so it is imported only here, inside an effect.
import type RFB from "@novnc/novnc";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useId, useRef, useState, type RefObject } from "react";
import { Button } from "@/app/_components/button";
import { Textarea } from "@/app/_components/field";
import { closeReasonOf, textToKeys, XK_SHIFT_L } from "@/app/_lib/console";
import { ConsoleStatusBar } from "./console-status";
import { useConsoleConnection, type OpenConsole } from "./use-console-connection";

/** Keys go out in small bursts, so a long paste does not overrun the guest's keyboard buffer. */
const KEYS_PER_BURST = 8;
const BURST_PAUSE_MS = 15;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function VncConsole({ instanceId, onNotRunning }: { instanceId: string; onNotRunning: () => void }) {
  const t = useTranslations("console");
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [scale, setScale] = useState(true);
  const scaleRef = useRef(scale);

  const open = useCallback<OpenConsole>(
    async (url, events) => {
      const { default: RFBClient } = await import("@novnc/novnc");
      const target = screenRef.current;
      if (!target) throw new Error("The console screen is not on the page.");
      // noVNC is given the socket rather than the URL so that the server's close reason (idle timeout,
      // access revoked) can be read: noVNC's own "disconnect" event only says whether it was clean.
      const socket = new WebSocket(url, ["binary"]);
      let closeEvent: CloseEvent | null = null;
      let refusal: string | null = null;
      let ended = false;
      // Registered before noVNC sets socket.onclose, so the reason is known when its "disconnect" fires.
      socket.addEventListener("close", (event) => {
        closeEvent = event;
        // noVNC reports some failures before the socket has closed; the server's reason may come after.
        const reason = closeReasonOf(event);
        if (ended && reason) events.disconnected(reason);
      });

      const rfb = new RFBClient(target, socket);
      rfb.scaleViewport = scaleRef.current;
      rfb.clipViewport = false;
      rfb.resizeSession = false;
      rfb.addEventListener("connect", () => {
        events.connected();
        rfb.focus({ preventScroll: true });
      });
      rfb.addEventListener("securityfailure", (event) => {
        refusal = event.detail.reason
          ? t("reasons.security", { reason: event.detail.reason })
          : t("reasons.securityNoReason");
      });
      rfb.addEventListener("credentialsrequired", () => {
        refusal = t("reasons.password");
        rfb.disconnect();
      });
      rfb.addEventListener("disconnect", () => {
        ended = true;
        if (rfbRef.current === rfb) rfbRef.current = null;
        events.disconnected(closeReasonOf(closeEvent) ?? refusal);
      });
      rfbRef.current = rfb;

      return () => {
        if (rfbRef.current === rfb) rfbRef.current = null;
        // A disconnected RFB object is final; disconnecting it again only logs an error.
        if (!ended) {
          ended = true;
          rfb.disconnect();
        }
      };
    },
    [t],
  );

  const { status, reconnect } = useConsoleConnection({ instanceId, kind: "vnc", open, onNotRunning });
  const connected = status.phase === "connected";

  useEffect(() => {
    scaleRef.current = scale;
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
  }, [scale]);

  const [fullscreenAvailable, setFullscreenAvailable] = useState(false);
  useEffect(() => setFullscreenAvailable(document.fullscreenEnabled), []);

  function fullScreen() {
    void screenRef.current
      ?.requestFullscreen()
      .then(() => rfbRef.current?.focus())
      .catch(() => undefined);
  }

  const scaleId = useId();
  return (
    <div className="space-y-3">
      <ConsoleStatusBar status={status} onReconnect={reconnect}>
        <label
          htmlFor={scaleId}
          className="inline-flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200"
        >
          <input
            id={scaleId}
            type="checkbox"
            checked={scale}
            onChange={(e) => setScale(e.target.checked)}
            className="size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600"
          />
          {t("scaleToFit")}
        </label>
        {fullscreenAvailable && (
          <Button size="sm" variant="secondary" disabled={!connected} onClick={fullScreen}>
            {t("fullScreen")}
          </Button>
        )}
        <Button
          size="sm"
          variant="secondary"
          disabled={!connected}
          onClick={() => rfbRef.current?.sendCtrlAltDel()}
        >
          {t("ctrlAltDel")}
        </Button>
      </ConsoleStatusBar>

      {/* noVNC adds its own canvas in here (and removes it on disconnect); React keeps this element empty. */}
      <div
        ref={screenRef}
        data-testid="vnc-screen"
        role="application"
        aria-label={t("screenLabel")}
        className="h-[70vh] min-h-72 w-full overflow-hidden rounded-md bg-slate-900"
      />
      <p className="text-xs text-slate-500 dark:text-slate-400">{t("vncHint")}</p>

      <PasteText rfbRef={rfbRef} connected={connected} />
    </div>
  );
}

/** Types text into the guest as key presses: what a clipboard cannot do before the guest has an agent. */
function PasteText({ rfbRef, connected }: { rfbRef: RefObject<RFB | null>; connected: boolean }) {
  const t = useTranslations("console");
  const [text, setText] = useState("");
  const [typing, setTyping] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function typeIt() {
    const rfb = rfbRef.current;
    if (!rfb) return;
    const { keys, skipped } = textToKeys(text);
    setNote(null);
    setTyping(true);
    try {
      for (const [index, key] of keys.entries()) {
        // Stop when the connection is gone (or replaced by a reconnect) or the page is left.
        if (!mounted.current || rfbRef.current !== rfb) return;
        if (key.shift) rfb.sendKey(XK_SHIFT_L, "ShiftLeft", true);
        rfb.sendKey(key.keysym, "");
        if (key.shift) rfb.sendKey(XK_SHIFT_L, "ShiftLeft", false);
        if (index % KEYS_PER_BURST === KEYS_PER_BURST - 1) await sleep(BURST_PAUSE_MS);
      }
      if (skipped > 0) setNote(t("skipped", { count: skipped }));
      rfb.focus({ preventScroll: true });
    } finally {
      if (mounted.current) setTyping(false);
    }
  }

  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        void typeIt();
      }}
    >
      <div className="min-w-64 flex-1">
        <Textarea
          label={t("pasteLabel")}
          hint={note ?? t("pasteHint")}
          rows={2}
          maxLength={5000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="font-mono"
        />
      </div>
      <Button
        type="submit"
        variant="secondary"
        busy={typing}
        disabled={!connected || text === ""}
        className="mb-5"
      >
        {t("typeIt")}
      </Button>
    </form>
  );
}
