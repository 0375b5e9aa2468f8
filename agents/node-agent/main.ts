// eduCloud host agent.
//   npm run agent -- join --portal http://portal:3000 --token=TOKEN [--name NAME] [--state-dir DIR]
//   (--token=… with "=": a token may start with "-")
//   npm run agent -- run [--state-dir DIR]
// Consoles (browser → portal → this agent → the VM's VNC/serial socket). Both are read at `join`: the
// portal pins the URL then (an admin may change it in Hosts; the agent cannot), and the agent keeps the
// listen address in <state-dir>/console.json for `run`.
//   EDUCLOUD_AGENT_CONSOLE_LISTEN  where the console bridge listens; default 127.0.0.1:7901 (loopback:
//                                  right when the portal runs on this machine). A host of a multi-host
//                                  install sets e.g. 0.0.0.0:7901 and lets only the portal reach it.
//                                  Port 0: a free port chosen at join and kept. Set at `run`, a non-zero
//                                  port overrides the kept one (the pinned URL must match it).
//   EDUCLOUD_AGENT_CONSOLE_URL     how the portal reaches it, e.g. ws://node7.lab:7901 (ws/wss, host and
//                                  port only); default the listen address (this host's name for 0.0.0.0).
// Networking:
//   EDUCLOUD_AGENT_NETNS           build bridges, dnsmasq, firewall tables and taps, and run the VMs, inside
//                                  this existing network namespace (tests; see network/README.md).
//                                  Unset in production: the host's own namespace.
// Guests:
//   EDUCLOUD_AGENT_QEMU_USER       the unprivileged user QEMU runs as (started through setpriv, no -runas);
//                                  default educloud-qemu (scripts/setup.sh creates it). If it does not
//                                  exist, this host offers no QEMU and says why in its facts. "root" keeps
//                                  QEMU root (not advised; same seccomp sandbox).
//   EDUCLOUD_AGENT_SERIAL_LOG_MAX_MIB  each VM's serial log is cut to serial.log.1 above this; default 8.
//   EDUCLOUD_AGENT_GUEST_CPU_GROUP the cgroup all guests share, below the management plane; default
//                                  educloud-guests (cgroup v2, else v1's cpu hierarchy, else each guest's
//                                  session niced); "off": none (guests compete as sessions of their own).
//   EDUCLOUD_AGENT_GUEST_CPU_WEIGHT that group's cgroup v2 weight (1–10000); default 100, as much as one
//                                  busy management process.
// Local mode (a lab PC whose own screen shows desktops; docs/labs.md "Local mode"):
//   EDUCLOUD_AGENT_LOCAL_MODE=1        serve the launcher and run the chosen desktop on this PC's screen.
//   EDUCLOUD_AGENT_LOCAL_DISPLAY       the X display of the PC's screen; default :0.
//   EDUCLOUD_AGENT_LOCAL_XAUTHORITY    its X authority file, readable by QEMU's user (or allow that user
//                                      with `xhost +si:localuser:educloud-qemu` in the kiosk session).
//   EDUCLOUD_AGENT_LOCAL_LISTEN        the launcher's address; loopback only; default 127.0.0.1:7902.
import { mkdir } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { DEFAULT_CONSOLE_LISTEN, parseListenAddress } from "./console/listen-address";
import { createHostDrivers, DEFAULT_QEMU_USER } from "./drivers/create-host-drivers";
import { loadCredentials } from "./credentials";
import { ImageCache } from "./image-cache";
import { joinPortal } from "./join-portal";
import { localModeFromEnv } from "./local/local-settings";
import { startLocalMode } from "./local/start-local-mode";
import { runAgent } from "./run-agent";

const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "agent" },
  redact: ["hostSecret", "*.hostSecret", "token"],
});

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    portal: { type: "string" },
    token: { type: "string" },
    name: { type: "string" },
    "state-dir": { type: "string" },
  },
});
const command = positionals[0];
const stateDir = resolve(
  values["state-dir"] ?? process.env.EDUCLOUD_AGENT_STATE_DIR ?? "/var/lib/educloud-agent",
);
const netns = process.env.EDUCLOUD_AGENT_NETNS || undefined;
const qemuUser = process.env.EDUCLOUD_AGENT_QEMU_USER || DEFAULT_QEMU_USER;
const serialLogMaxMiB = Number(process.env.EDUCLOUD_AGENT_SERIAL_LOG_MAX_MIB || 8);
const guestCpuGroup = process.env.EDUCLOUD_AGENT_GUEST_CPU_GROUP || undefined;
const guestCpuWeight = process.env.EDUCLOUD_AGENT_GUEST_CPU_WEIGHT
  ? Number(process.env.EDUCLOUD_AGENT_GUEST_CPU_WEIGHT)
  : undefined;

async function main(): Promise<void> {
  // The name ends up in `ip netns exec <name>` (argv, no shell); still, accept only a plain name.
  if (netns !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(netns))
    throw new Error(`EDUCLOUD_AGENT_NETNS is not a namespace name: ${JSON.stringify(netns)}`);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  if (!(serialLogMaxMiB > 0))
    throw new Error(`EDUCLOUD_AGENT_SERIAL_LOG_MAX_MIB must be a positive number of MiB`);
  if (
    guestCpuWeight !== undefined &&
    !(Number.isInteger(guestCpuWeight) && guestCpuWeight >= 1 && guestCpuWeight <= 10_000)
  )
    throw new Error("EDUCLOUD_AGENT_GUEST_CPU_WEIGHT must be a whole number from 1 to 10000");
  if (qemuUser === "root") log.warn("EDUCLOUD_AGENT_QEMU_USER=root: QEMU runs as root");
  const drivers = createHostDrivers({
    stateDir,
    netns,
    qemuUser: qemuUser === "root" ? undefined : qemuUser,
    serialLogMaxBytes: Math.floor(serialLogMaxMiB * 1024 * 1024),
    cpuGroup:
      guestCpuGroup === "off"
        ? null
        : {
            name: guestCpuGroup,
            weight: guestCpuWeight,
            onWarning: (message) => log.warn(message),
          },
  });
  if (command === "join") {
    if (!values.portal || !values.token)
      throw new Error("join needs --portal URL and --token=TOKEN (Hosts → Add host shows the command).");
    const creds = await joinPortal({
      portal: values.portal,
      token: values.token,
      name: values.name ?? os.hostname(),
      stateDir,
      drivers,
      console: {
        listen: parseListenAddress(process.env.EDUCLOUD_AGENT_CONSOLE_LISTEN || DEFAULT_CONSOLE_LISTEN),
        advertiseUrl: process.env.EDUCLOUD_AGENT_CONSOLE_URL || undefined,
      },
      localMode: localModeFromEnv() !== null,
    });
    log.info({ hostId: creds.hostId, stateDir }, "joined; start the agent with: npm run agent -- run");
    return;
  }
  if (command === "run") {
    const localSettings = localModeFromEnv();
    let local: Awaited<ReturnType<typeof startLocalMode>> | undefined;
    if (localSettings) {
      // First, and not behind Redis: the launcher must work while the portal's machine is unreachable.
      const creds = await loadCredentials(stateDir);
      if (!creds) throw new Error("This PC has not joined yet: run `npm run agent -- join …` first.");
      await drivers.detect();
      local = await startLocalMode({
        stateDir,
        creds,
        settings: localSettings,
        driver: drivers.forHypervisor("qemu"),
        images: new ImageCache(join(stateDir, "images"), creds),
        log: log.child({ component: "local" }),
      });
    }
    const running = runAgent({
      stateDir,
      log,
      drivers,
      heartbeatMs: Number(process.env.EDUCLOUD_AGENT_HEARTBEAT_MS ?? 10_000),
      concurrency: Number(process.env.EDUCLOUD_AGENT_CONCURRENCY ?? 8),
      consoleListen: process.env.EDUCLOUD_AGENT_CONSOLE_LISTEN
        ? parseListenAddress(process.env.EDUCLOUD_AGENT_CONSOLE_LISTEN)
        : undefined,
      consoleUrl: process.env.EDUCLOUD_AGENT_CONSOLE_URL || undefined,
      netns,
      localMode: localSettings !== null,
    });
    // In local mode the launcher lives on without the portal's queues (Redis down or unreachable: the
    // first heartbeat waits for it); elsewhere a failed start is fatal, as before.
    if (local) running.catch((err) => log.warn({ err: (err as Error).message }, "portal link failed"));
    const agent = local ? undefined : await running;
    const stop = async (signal: string) => {
      log.info({ signal }, "agent stopping; VMs keep running");
      await (agent ?? (await Promise.race([running, Promise.resolve(undefined)]).catch(() => undefined)))
        ?.stop()
        .catch(() => undefined);
      // A local desktop belongs to the person at the PC right now: it ends with the agent.
      await local?.stop({ stopDesktop: true }).catch(() => undefined);
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
    return;
  }
  throw new Error(
    "usage: agent join --portal URL --token=TOKEN [--name NAME] [--state-dir DIR] | agent run [--state-dir DIR]",
  );
}

main().catch((err) => {
  log.fatal({ err: (err as Error).message }, "agent failed");
  process.exit(1);
});
