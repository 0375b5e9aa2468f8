import type { KeyObject } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { importVerifyKey } from "../../protocol/console-grant";
import { CONSOLE_KEY_PATH, hostAuthHeader } from "../../protocol/index";

export interface ConsoleKeyOptions {
  portalUrl: string;
  hostId: string;
  hostSecret: string;
  log: Logger;
  /** After a failure (the portal may still be starting); default 10 s. */
  retryMs?: number;
  /** After a success, so a key the portal rotated is picked up without restarting agents; default 1 h. */
  refreshMs?: number;
}

export interface ConsoleKeyWatcher {
  /** The portal's verify key, or null until it has been fetched once. */
  get(): KeyObject | null;
  stop(): void;
}

const keyResponse = z.object({ key: z.string().min(40).max(200) });

export function consoleKeyUrl(portalUrl: string): string {
  return `${portalUrl.replace(/\/+$/, "")}${CONSOLE_KEY_PATH}`;
}

/**
 * Fetches the portal's console verify key in the background and keeps it fresh. Never throws: the
 * agent runs VMs without it and refuses consoles (503) until it is known. A failed refresh keeps the
 * key it has.
 */
export function watchConsoleKey(opts: ConsoleKeyOptions): ConsoleKeyWatcher {
  let key: KeyObject | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;
  const controller = new AbortController();

  const attempt = async () => {
    try {
      const res = await fetch(consoleKeyUrl(opts.portalUrl), {
        headers: { authorization: hostAuthHeader(opts.hostId, opts.hostSecret) },
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      key = importVerifyKey(keyResponse.parse(await res.json()).key);
      if (failures > 0 || !timer)
        opts.log.info("console key fetched from the portal; consoles are available");
      failures = 0;
    } catch (err) {
      if (stopped) return;
      // Once at warn, then quietly: a portal without consoles (or still starting) should not flood the log.
      opts.log[failures === 0 ? "warn" : "debug"](
        { err: describeFetchError(err), retryInSeconds: Math.round((opts.retryMs ?? 10_000) / 1000) },
        key
          ? "could not refresh the console key; keeping the current one"
          : "could not fetch the console key from the portal; consoles are unavailable until it is known",
      );
      failures++;
    }
    if (!stopped)
      timer = setTimeout(
        () => void attempt(),
        failures ? (opts.retryMs ?? 10_000) : (opts.refreshMs ?? 3_600_000),
      );
  };
  void attempt();

  return {
    get: () => key,
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    },
  };
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return [(err as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(": ");
}
