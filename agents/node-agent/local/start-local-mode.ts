// Local mode's parts put together (main.ts calls this when EDUCLOUD_AGENT_LOCAL_MODE=1): leftovers of an
// earlier run removed, the desktop runner and the launcher. Independent of Redis: with the portal's
// machine unreachable, a cached public profile still starts.
import type { Logger } from "pino";
import type { JoinResponse } from "../../protocol/index";
import type { HypervisorDriver } from "../drivers/hypervisor-driver";
import type { ImageCache } from "../image-cache";
import { startLauncher } from "./launcher-server";
import { LocalDesktop, type LocalRun } from "./local-desktop";
import type { LocalModeSettings } from "./local-settings";
import { pendingUsage, queueUsage } from "./local-state";
import { LocalPortalClient } from "./portal-client";

export async function startLocalMode(opts: {
  stateDir: string;
  creds: Pick<JoinResponse, "hostId" | "hostSecret" | "portalUrl">;
  settings: LocalModeSettings;
  driver: HypervisorDriver;
  images: ImageCache;
  log: Logger;
  watchMs?: number;
  reportEveryMs?: number;
  portalTimeoutMs?: number;
}) {
  let onEnded: (run: LocalRun) => void = () => undefined;
  const desktop = new LocalDesktop({
    stateDir: opts.stateDir,
    driver: opts.driver,
    images: opts.images,
    display: opts.settings.display,
    log: opts.log,
    watchMs: opts.watchMs,
    onEnded: (run) => onEnded(run),
  });
  const removed = await desktop.cleanUpLeftovers();
  // Their runs ended when the agent stopped: close their usage records now (the end is "when we noticed").
  for (const r of await pendingUsage(opts.stateDir))
    if (!r.endedAt) await queueUsage(opts.stateDir, { ...r, endedAt: new Date() });
  if (removed.length) opts.log.info({ removed }, "removed local desktops an earlier run left");
  const launcher = await startLauncher({
    stateDir: opts.stateDir,
    listen: opts.settings.listen,
    portal: new LocalPortalClient(opts.creds, opts.portalTimeoutMs),
    desktop,
    log: opts.log,
    reportEveryMs: opts.reportEveryMs,
  });
  onEnded = launcher.endedRun;
  void launcher.reportUsage();
  opts.log.info({ url: launcher.url }, "local launcher ready (open it on this PC)");
  return {
    url: launcher.url,
    desktop,
    reportUsage: launcher.reportUsage,
    async stop(opts2: { stopDesktop?: boolean } = {}): Promise<void> {
      await launcher.close();
      if (opts2.stopDesktop) await desktop.stop();
      desktop.close();
    },
  };
}
