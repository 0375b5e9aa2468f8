"use client";
// The kiosk: the lab's sign-in, then the student's desktop full page through the console proxy, with a
// small "Sign out" that releases it and comes back here. A seat terminal shows its desktop at once.
// Every call is a kiosk route (the kiosk cookie); the server decides which lab and which desktop.
import type RFB from "@novnc/novnc";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/app/_components/button";
import { Input } from "@/app/_components/field";
import { FormError } from "@/app/_components/form-error";
import { closeReasonOf, consoleSocketUrl } from "@/app/_lib/console";
import { useMessage, type RenderableMessage } from "@/app/_lib/render-message";

interface KioskState {
  terminal: { id: string; name: string };
  lab: { id: number; name: string } | null;
  show: "sign-in" | "seat";
  keyboardLayout: string;
  user: { username: string; displayName: string } | null;
}

class KioskError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function useKioskApi() {
  const render = useMessage();
  return useCallback(
    async <T,>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`/api/v1/kiosk/${path}`, {
        method: path === "state" ? "GET" : "POST",
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
      const json = (await res.json().catch(() => null)) as
        (T & { message?: string; serverMessage?: RenderableMessage }) | null;
      if (!res.ok)
        throw new KioskError(res.status, render(json?.serverMessage, json?.message ?? res.statusText));
      return json as T;
    },
    [render],
  );
}

export function KioskApp({ linkSpent }: { linkSpent: boolean }) {
  const t = useTranslations("kiosk");
  const api = useKioskApi();
  const [state, setState] = useState<KioskState | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const render = useMessage();

  const load = useCallback(async () => {
    try {
      setState(await api<KioskState>("state"));
      setFatal(null);
    } catch (err) {
      setFatal((err as Error).message);
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  if (fatal)
    return (
      <main className="flex min-h-screen items-center justify-center p-8 text-center">
        <p role="alert" className="max-w-md text-lg" data-testid="kiosk-fatal">
          {/* Opened with a spent link (a reload of the boot's URL): say so, not just "no session". */}
          {linkSpent ? render({ code: "kiosk.linkInvalid" }, fatal) : fatal}
        </p>
      </main>
    );
  if (!state)
    return (
      <main className="flex min-h-screen items-center justify-center" role="status">
        {t("loading")}
      </main>
    );
  if (!state.lab)
    return (
      <main className="flex min-h-screen items-center justify-center p-8" role="alert">
        {t("noLab")}
      </main>
    );
  if (state.show === "seat" || state.user) return <KioskDesktop state={state} onSignedOut={load} />;
  return <KioskSignIn state={state} onSignedIn={load} />;
}

function KioskSignIn({ state, onSignedIn }: { state: KioskState; onSignedIn: () => Promise<void> }) {
  const t = useTranslations("kiosk");
  const api = useKioskApi();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <form
        className="w-full max-w-sm space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          api("sign-in", { username, password })
            .then(() => onSignedIn())
            .catch((err: Error) => setError(err.message))
            .finally(() => setBusy(false));
        }}
      >
        <div>
          <h1 className="text-2xl font-semibold">{t("title", { lab: state.lab!.name })}</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {t("terminal", { name: state.terminal.name })}
          </p>
        </div>
        <h2 className="text-lg font-medium">{t("signInTitle")}</h2>
        <Input
          label={t("username")}
          name="username"
          autoComplete="off"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
        <Input
          label={t("password")}
          name="password"
          type="password"
          autoComplete="off"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <FormError message={error} />
        <Button type="submit" disabled={busy} className="w-full">
          {busy ? t("signingIn") : t("signIn")}
        </Button>
      </form>
    </main>
  );
}

type Phase = "starting" | "connecting" | "connected" | "disconnected";

function KioskDesktop({ state, onSignedOut }: { state: KioskState; onSignedOut: () => Promise<void> }) {
  const t = useTranslations("kiosk");
  const api = useKioskApi();
  const screenRef = useRef<HTMLDivElement>(null);
  const [phase, setPhase] = useState<Phase>("starting");
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  // While the desktop is shown the page says it is alive (the admin's "online"), and learns when the
  // terminal was revoked or moved, or the student signed out elsewhere: then it starts over.
  useEffect(() => {
    const beat = setInterval(() => {
      api<KioskState>("state")
        .then((now) => {
          if (now.show !== state.show || now.user?.username !== state.user?.username) void onSignedOut();
        })
        .catch((err: KioskError) => {
          if (err.status === 401 || err.status === 403) void onSignedOut();
        });
    }, 30_000);
    return () => clearInterval(beat);
  }, [api, onSignedOut, state.show, state.user?.username]);

  useEffect(() => {
    let cancelled = false;
    let rfb: RFB | null = null;
    void (async () => {
      setPhase("starting");
      // The desktop is handed out (or made) now; wait until it runs, then a fresh single-use ticket.
      for (;;) {
        try {
          const d = await api<{ ready: boolean }>("desktop");
          if (cancelled) return;
          if (d.ready) break;
        } catch (err) {
          if (cancelled) return;
          if ((err as KioskError).status === 401) return void onSignedOut();
          setMessage((err as Error).message);
        }
        await new Promise((r) => setTimeout(r, 2000));
        if (cancelled) return;
      }
      setPhase("connecting");
      let ticket: { ticket: string; path: string };
      try {
        ticket = await api("ticket");
      } catch (err) {
        if (!cancelled) {
          setPhase("disconnected");
          setMessage((err as Error).message);
        }
        return;
      }
      const { default: RFBClient } = await import("@novnc/novnc");
      if (cancelled || !screenRef.current) return;
      const socket = new WebSocket(consoleSocketUrl(window.location, ticket.path, ticket.ticket), ["binary"]);
      let closeEvent: CloseEvent | null = null;
      socket.addEventListener("close", (e) => (closeEvent = e));
      rfb = new RFBClient(screenRef.current, socket);
      rfb.scaleViewport = true;
      rfb.resizeSession = false;
      // The kiosk is black around a guest screen of another aspect ratio (noVNC's default is grey).
      rfb.background = "black";
      rfb.addEventListener("connect", () => {
        setPhase("connected");
        setMessage(null);
        rfb?.focus({ preventScroll: true });
      });
      rfb.addEventListener("disconnect", () => {
        if (cancelled) return;
        setPhase("disconnected");
        setMessage(closeReasonOf(closeEvent));
      });
    })();
    return () => {
      cancelled = true;
      try {
        rfb?.disconnect();
      } catch {
        /* already closed */
      }
    };
  }, [api, attempt, onSignedOut]);

  return (
    <main className="fixed inset-0 bg-black">
      <div ref={screenRef} data-testid="kiosk-screen" data-phase={phase} className="h-full w-full" />
      {phase !== "connected" && (
        <div
          className="absolute inset-0 flex flex-col items-center justify-center gap-4 text-white"
          role="status"
        >
          <p>
            {phase === "starting"
              ? t("starting")
              : phase === "connecting"
                ? t("connecting")
                : t("disconnected")}
          </p>
          {message && <p className="max-w-md text-center text-sm text-slate-300">{message}</p>}
          {phase === "disconnected" && (
            <Button variant="secondary" onClick={() => setAttempt((n) => n + 1)}>
              {t("reconnect")}
            </Button>
          )}
        </div>
      )}
      {state.show === "sign-in" && state.user && (
        <div className="absolute right-2 top-2 flex items-center gap-2 rounded bg-slate-900/70 px-2 py-1 text-xs text-white">
          <span>{t("signedInAs", { user: state.user.displayName || state.user.username })}</span>
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              void api("sign-out").finally(() => void onSignedOut());
            }}
          >
            {t("signOut")}
          </Button>
        </div>
      )}
    </main>
  );
}
