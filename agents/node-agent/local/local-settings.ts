// Local mode's settings, from the agent's environment (main.ts lists them).
import type { LocalDisplay } from "../drivers/hypervisor-driver";
import { parseListenAddress, type ListenAddress } from "../console/listen-address";
import { isLoopbackAddress } from "./loopback";

export const DEFAULT_LAUNCHER_LISTEN = "127.0.0.1:7902";

export interface LocalModeSettings {
  display: LocalDisplay;
  listen: ListenAddress;
}

/** null: local mode is off. Throws on a setting that would expose the launcher or name a remote display. */
export function localModeFromEnv(
  env: Record<string, string | undefined> = process.env,
): LocalModeSettings | null {
  if (!["1", "true", "yes"].includes((env.EDUCLOUD_AGENT_LOCAL_MODE ?? "").toLowerCase())) return null;
  const display = env.EDUCLOUD_AGENT_LOCAL_DISPLAY || ":0";
  if (!/^:[0-9]{1,4}(\.[0-9]{1,2})?$/.test(display))
    throw new Error(
      `EDUCLOUD_AGENT_LOCAL_DISPLAY must be a local X display such as :0, not ${JSON.stringify(display)}`,
    );
  const listen = parseListenAddress(env.EDUCLOUD_AGENT_LOCAL_LISTEN || DEFAULT_LAUNCHER_LISTEN);
  assertLoopbackListen(listen);
  return {
    display: { x11Display: display, xauthority: env.EDUCLOUD_AGENT_LOCAL_XAUTHORITY || undefined },
    listen,
  };
}

/** Anonymous visitors may start desktops here: only someone at this PC may reach it. */
export function assertLoopbackListen(listen: ListenAddress): void {
  if (!isLoopbackAddress(listen.host))
    throw new Error(
      `the local launcher listens on loopback only (127.0.0.1 or ::1), not ${JSON.stringify(listen.host)}`,
    );
}
