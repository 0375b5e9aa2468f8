// A real compute stack on this machine for tests and benchmarks: this process runs the portal's domain
// and controller; the agent runs as its own OS process (joined over HTTP, fetching over HTTP) and drives
// real QEMU. Everything lives under temporary directories and a Redis prefix of its own.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import pino from "pino";
import { hosts, instances, type InstanceRow } from "@/db/schema";
import { QemuDriver } from "@/agents/node-agent/drivers/qemu/qemu-driver";
import { importImage, incomingDir } from "@/server/domain/images/import-image";
import { startController } from "@/server/queue/controller";
import { createHostJobPort } from "@/server/queue/host-jobs";
import { createQueueConnection } from "@/server/queue/redis";
import { callerFor, makeFlavor, makeUser, openTestServices, testSettings } from "./fixtures";
import { serveRoutes } from "./serve-route";
import { ensureTestImage } from "./test-image";

export interface ComputeStack {
  s: ReturnType<typeof openTestServices>;
  caller: ReturnType<typeof callerFor>;
  agentDir: string;
  hostId: string;
  imageId: string;
  flavorId: number;
  driver: QemuDriver;
  runDir(id: string): string;
  startAgent(): void;
  killAgentHard(): Promise<void>;
  waitForState(id: string, want: InstanceRow["state"], timeoutMs?: number): Promise<InstanceRow>;
  /** Joins and runs one more agent, with a state directory of its own: a second host. */
  addHost(name: string): Promise<{ hostId: string; stateDir: string }>;
  stop(): Promise<void>;
}

/**
 * `storeDir` must be the IMAGE_STORE_DIR the image route reads (set it in the environment before the
 * route module is imported, and pass the route handlers in: they are App Router modules).
 */
export async function startComputeStack(opts: {
  storeDir: string;
  imageRoute: (req: Request, ctx: never) => Promise<Response>;
  joinRoute: (req: Request) => Promise<Response>;
  /** Served too when given, so the stack's agents can open consoles. */
  consoleKeyRoute?: (req: Request) => Promise<Response>;
  /** Served too when given, so the stack's agents can upload captured disks. */
  captureRoute?: (req: Request, ctx: never) => Promise<Response>;
  flavor?: { vcpus: number; memoryMiB: number; diskGiB: number };
  agentConcurrency?: number;
  /** Other hosts would take instances too: disable them for the stack's life. */
  isolate?: boolean;
  /** Extra environment for the agents (e.g. EDUCLOUD_AGENT_NETNS: VM networks inside a test namespace). */
  agentEnv?: Record<string, string>;
}): Promise<ComputeStack> {
  const s = openTestServices();
  const agentDir = await mkdtemp(join(tmpdir(), "educloud-agent-"));
  // One "portal" address for the agent: images, join and (optionally) the console key.
  const images = await serveRoutes([
    { pattern: "/api/v1/agent/images/:id/content", handler: opts.imageRoute as never },
    { pattern: "/api/v1/agent/join", handler: opts.joinRoute as never },
    ...(opts.consoleKeyRoute
      ? [{ pattern: "/api/v1/agent/console-key", handler: opts.consoleKeyRoute as never }]
      : []),
    ...(opts.captureRoute
      ? [{ pattern: "/api/v1/agent/captures/:taskId", handler: opts.captureRoute as never }]
      : []),
  ]);
  const joins = images;
  const conn = createQueueConnection(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const jobs = createHostJobPort(conn, s.prefix);
  const admin = await makeUser(s, "superAdm");
  const caller = callerFor(s, admin, undefined, { jobs, settings: testSettings({ portalUrl: images.url }) });
  const controller = startController({
    db: s.db,
    jobs,
    connection: conn,
    prefix: s.prefix,
    log: pino({ level: "silent" }),
    refreshMs: 250,
  });

  const built = await ensureTestImage();
  await mkdir(incomingDir(opts.storeDir), { recursive: true });
  const incomingPath = join(incomingDir(opts.storeDir), randomUUID());
  await copyFile(built, incomingPath);
  const imageId = (
    await importImage(
      { db: s.db, storeDir: opts.storeDir },
      { incomingPath, name: "test guest", format: "qcow2", visibility: "public", ownerId: null },
    )
  ).id;
  const flavorId = await makeFlavor(s, opts.flavor ?? { vcpus: 1, memoryMiB: 128, diskGiB: 1 });

  const previouslyEnabled =
    opts.isolate === false
      ? []
      : (await s.db.select({ id: hosts.id }).from(hosts).where(eq(hosts.enabled, true))).map((h) => h.id);
  if (previouslyEnabled.length)
    await s.db.update(hosts).set({ enabled: false }).where(eq(hosts.enabled, true));

  const joinAgent = async (stateDir: string, name: string): Promise<string> => {
    const { token } = await caller.hosts.createJoinToken();
    const joining = spawn(
      "npx",
      [
        "--no-install",
        "tsx",
        "agents/node-agent/main.ts",
        "join",
        "--portal",
        joins.url,
        `--token=${token}`,
        "--name",
        name,
        "--state-dir",
        stateDir,
      ],
      // Several agents (and other runs) share this machine: each picks a free console port at join.
      {
        env: { ...process.env, EDUCLOUD_AGENT_CONSOLE_LISTEN: "127.0.0.1:0" },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    const code = await new Promise((r) => joining.on("exit", r));
    if (code !== 0) throw new Error(`agent join exited with ${code}`);
    return (JSON.parse(await readFile(join(stateDir, "credentials.json"), "utf8")) as { hostId: string })
      .hostId;
  };
  const runAgent = (stateDir: string): ChildProcess =>
    spawn("npx", ["--no-install", "tsx", "agents/node-agent/main.ts", "run", "--state-dir", stateDir], {
      env: {
        ...process.env,
        EDUCLOUD_AGENT_HEARTBEAT_MS: "1000",
        EDUCLOUD_AGENT_CONCURRENCY: String(opts.agentConcurrency ?? 4),
        LOG_LEVEL: "warn",
        ...opts.agentEnv,
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
  const killAgentOf = async (stateDir: string) => {
    let pids: number[] = [];
    try {
      pids = execFileSync("pgrep", ["-f", `main.ts run --state-dir ${stateDir}`])
        .toString()
        .trim()
        .split("\n")
        .filter(Boolean)
        .map(Number);
    } catch {
      /* none running */
    }
    for (const pid of pids)
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    await new Promise((r) => setTimeout(r, 300));
  };
  const waitForHeartbeat = async (hostId: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [h] = await s.db.select().from(hosts).where(eq(hosts.id, hostId));
      if (h?.lastHeartbeatAt && Date.now() - h.lastHeartbeatAt.getTime() < 5000) return;
      if (Date.now() > deadline) throw new Error("the agent never sent a heartbeat");
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const hostId = await joinAgent(agentDir, `stack-${randomUUID().slice(0, 8)}`);
  const startAgent = () => {
    runAgent(agentDir);
  };
  const killAgentHard = async () => {
    await killAgentOf(agentDir);
  };
  const extraHosts: string[] = [];
  const waitForState = async (id: string, want: InstanceRow["state"], timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: InstanceRow | undefined;
    while (Date.now() < deadline) {
      [last] = await s.db.select().from(instances).where(eq(instances.id, id));
      if (last?.state === want && !last.task) return last;
      if (last?.state === "ERROR" && want !== "ERROR")
        throw new Error(`instance went to ERROR: ${last.errorReason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `instance ${id} did not reach ${want} within ${timeoutMs} ms (last: ${last?.state}/${last?.task})`,
    );
  };

  startAgent();
  await waitForHeartbeat(hostId);

  const driver = new QemuDriver({ stateDir: agentDir });
  return {
    s,
    caller,
    agentDir,
    hostId,
    imageId,
    flavorId,
    driver,
    startAgent,
    killAgentHard,
    waitForState,
    runDir: (id) => join(agentDir, "vms", id),
    async addHost(name) {
      const stateDir = await mkdtemp(join(tmpdir(), "educloud-agent-"));
      const id = await joinAgent(stateDir, name);
      runAgent(stateDir);
      extraHosts.push(stateDir);
      await waitForHeartbeat(id);
      return { hostId: id, stateDir };
    },
    async stop() {
      await killAgentHard();
      for (const dir of [agentDir, ...extraHosts]) {
        await killAgentOf(dir);
        const d = new QemuDriver({ stateDir: dir });
        for (const vm of await d.list().catch(() => [])) await d.delete(vm.id).catch(() => undefined);
        if (dir !== agentDir) await rm(dir, { recursive: true, force: true });
      }
      await controller.close();
      await jobs.close();
      conn.disconnect();
      await images.close();
      for (const id of previouslyEnabled)
        await s.db.update(hosts).set({ enabled: true }).where(eq(hosts.id, id));
      await s.close();
      await rm(agentDir, { recursive: true, force: true });
    },
  };
}
