import { join } from "node:path";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AgentMessage } from "../protocol/agent-message";
import { hostAuthHeader, hostQueueName, hostRedisUsername, redisAddressOnly } from "../protocol/index";
import { collectFacts } from "./collect-facts";
import { DEFAULT_CONSOLE_LISTEN, parseListenAddress, type ListenAddress } from "./console/listen-address";
import { loadPinnedConsole } from "./console/pinned-console";
import { startConsoleBridge } from "./console/start-console-bridge";
import { loadCredentials } from "./credentials";
import type { DriverRegistry } from "./drivers/driver-registry";
import type { HypervisorDriver } from "./drivers/hypervisor-driver";
import { guardRunningNics } from "./guard-running-nics";
import { ImageCache, imageCacheLimitFromEnv } from "./image-cache";
import { handleJob } from "./jobs/handle-job";
import { lookAtVms } from "./look-at-vms";
import { reportState, type JobContext } from "./jobs/job-context";
import { toWorkerError } from "./jobs/to-worker-error";
import { allowedUplinksFromEnv, HostNetwork } from "./network/host-network";
import { PermanentJobError } from "./permanent-job-error";
import { createEventSender } from "./send-events";

export interface AgentOptions {
  stateDir: string;
  log: Logger;
  /** Every driver this agent has; which ones the host offers is detected at start and with each facts report. */
  drivers: DriverRegistry;
  heartbeatMs?: number;
  concurrency?: number;
  /**
   * Where the console bridge listens; default the address kept at join (console.json), else loopback
   * port 7901. Port 0 here also means the kept one (see console/README.md).
   */
  consoleListen?: ListenAddress;
  /** The URL the portal should use; only compared with the pinned one (the portal decides). */
  consoleUrl?: string;
  /**
   * Build networks (bridges, dnsmasq, nftables, taps) inside this network namespace; unset in
   * production. The agent itself stays in the root namespace (Redis, portal). See network/README.md.
   */
  netns?: string;
  /** Interfaces networks may use as uplinks; default EDUCLOUD_AGENT_UPLINKS. */
  allowedUplinks?: string[];
  /**
   * Local mode (a lab PC): its facts say so, so the portal places nothing here, and this agent refuses
   * to create an instance should a portal ask anyway (its screen and resources are the person's at it).
   */
  localMode?: boolean;
}

/**
 * The agent's life: announce itself with its facts and every VM it finds (the portal reconciles),
 * then take this host's jobs and send a heartbeat every 10 s. VMs are separate processes: stopping
 * the agent leaves them running.
 */
export async function runAgent(opts: AgentOptions): Promise<{ stop(): Promise<void> }> {
  const creds = await loadCredentials(opts.stateDir);
  if (!creds)
    throw new Error(
      `This host has not joined yet: run \`npm run agent -- join --portal URL --token TOKEN\` (state directory ${opts.stateDir}).`,
    );
  const { hostId } = creds;

  // The portal connects only to the address pinned when this host joined, so listen where we said then.
  const pinned = await loadPinnedConsole(opts.stateDir);
  const listen =
    opts.consoleListen && opts.consoleListen.port !== 0
      ? opts.consoleListen
      : (pinned?.listen ?? opts.consoleListen ?? parseListenAddress(DEFAULT_CONSOLE_LISTEN));
  const consoles = await startConsoleBridge({
    creds,
    consoles: opts.drivers,
    log: opts.log.child({ component: "console" }),
    listen,
    // The kept URL describes the kept listen address only; listening elsewhere advertises that instead.
    advertiseUrl:
      opts.consoleUrl ??
      (pinned && pinned.listen.host === listen.host && pinned.listen.port === listen.port
        ? pinned.url
        : undefined),
  });
  if (consoles.consoleUrl !== pinned?.url)
    opts.log.warn(
      { listening: consoles.consoleUrl, pinned: pinned?.url ?? "the one this host last reported" },
      "the portal reaches consoles only at the address pinned when this host joined: if this one is different, a superAdm changes it in Hosts",
    );

  const connection = new Redis(redisAddressOnly(creds.redisUrl), {
    // This host's own Redis user: its secret opens its two queues and nothing else.
    username: hostRedisUsername(creds.redisPrefix, hostId),
    password: creds.hostSecret,
    maxRetriesPerRequest: null,
    // The ready check runs INFO, which the host's user may not.
    enableReadyCheck: false,
  });
  connection.on("error", (err) => opts.log.warn({ err: err.message }, "redis connection problem"));
  const events = createEventSender(connection, creds.redisPrefix, hostId);
  // The cache's size limit evicts unused images, least recently used first; the portal is told.
  const images = new ImageCache(join(opts.stateDir, "images"), creds, {
    maxBytes: imageCacheLimitFromEnv(),
    imagesInUse: () => opts.drivers.baseImagesInUse(),
    onEvicted: (sha256) =>
      void events
        .send({ type: "image.cache", hostId, at: new Date(), sha256, state: "evicted" })
        .catch(() => undefined),
    onCached: (sha256, bytes) =>
      void events
        .send({
          type: "image.cache",
          hostId,
          at: new Date(),
          sha256,
          state: "cached",
          bytesDone: bytes,
          bytesTotal: bytes,
        })
        .catch(() => undefined),
  });
  const network = new HostNetwork({
    stateDir: opts.stateDir,
    netns: opts.netns,
    log: opts.log.child({ component: "network" }),
    allowedUplinks: opts.allowedUplinks ?? allowedUplinksFromEnv(),
  });

  const facts = await collectFacts(opts.stateDir, opts.drivers, { localMode: opts.localMode });
  const accel = facts.kvmUsable ? "kvm" : "tcg";
  opts.log.info(
    { hostId, accel, kvmReason: facts.kvmReason, hypervisors: opts.drivers.offered() },
    accel === "tcg" ? "KVM is not usable here; VMs run under software emulation (TCG)" : "KVM is usable",
  );
  if (opts.drivers.offered().length === 0)
    opts.log.warn(
      { hypervisors: facts.hypervisors.map((h) => `${h.kind}: ${h.reason ?? "not available"}`) },
      "this host offers no hypervisor: instances cannot be created here until one is installed",
    );

  // Who is watching: graphical viewers as the hypervisor counts them (our own bridge's viewers are among
  // them), plus the serial console's one session, which the bridge counts. Unknown stays unknown.
  const countViewers = async (
    driver: HypervisorDriver,
    id: string,
    state: string,
  ): Promise<number | undefined> => {
    if (state !== "running") return 0;
    const vnc = (await driver.countViewers?.(id).catch(() => null)) ?? null;
    if (vnc === null) return undefined;
    return vnc + (consoles.server.activeSessions().get(id)?.serial ?? 0);
  };

  const beat = async (startup: boolean, withFacts: boolean) => {
    // The startup beat asks each hypervisor about each VM (reconcile needs the truth); routine beats
    // only check that each VM's process lives.
    const { at, vms } = await lookAtVms(opts.drivers, !startup);
    await events.send({
      type: "host.heartbeat",
      hostId,
      at,
      startup,
      facts: withFacts
        ? await collectFacts(opts.stateDir, opts.drivers, { localMode: opts.localMode })
        : undefined,
      vms: await Promise.all(
        vms.map(async ({ driver, vm }) => ({
          instanceId: vm.id,
          state: vm.state,
          accel: vm.accel,
          viewers: await countViewers(driver, vm.id, vm.state),
        })),
      ),
    });
  };
  // Before the first job: the taps of VMs that ran on while the agent was away get their filters back.
  await guardRunningNics(opts.drivers, network, opts.log.child({ component: "network" }));
  await beat(true, true);

  const worker = new Worker(
    hostQueueName(hostId),
    async (job) => {
      const ctx: JobContext = {
        hostId,
        jobId: String(job.id),
        drivers: opts.drivers,
        images,
        network,
        events,
        log: opts.log.child({ job: job.id }),
        stateDir: opts.stateDir,
        authHeader: hostAuthHeader(hostId, creds.hostSecret),
        portalUrl: creds.portalUrl,
      };
      try {
        if (opts.localMode && job.name === "instance.create")
          throw new PermanentJobError(
            "This host is a lab PC in local mode: it runs only the desktops started at its own launcher.",
          );
        await handleJob(ctx, job.name, job.data);
      } catch (err) {
        throw toWorkerError(err);
      }
    },
    {
      connection,
      prefix: `${creds.redisPrefix}:bull`,
      concurrency: opts.concurrency ?? 4,
      skipVersionCheck: true,
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = err.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
    opts.log.warn({ job: job.id, attempt: job.attemptsMade, final, err: err.message }, "job failed");
    const instanceId = (job.data as { instanceId?: string }).instanceId;
    if (final && instanceId) {
      const ctx = { hostId, jobId: String(job.id), events } as JobContext;
      const jobKind = job.name.replace("instance.", "");
      const refusal = (err as { agentMessage?: AgentMessage }).agentMessage;
      void reportState(ctx, instanceId, "ERROR", {
        reason: `${jobKind} failed: ${err.message}`,
        // The agent's own refusals carry a code; any other error text is a driver's or a tool's own
        // words: it stays a parameter.
        reasonMessage: refusal
          ? { code: refusal.code, params: { ...refusal.params, job: jobKind } }
          : { code: "agent.jobFailed", params: { job: jobKind, detail: err.message.slice(0, 1500) } },
      }).catch(() => undefined);
    }
  });

  // One beat at a time: the next is scheduled when the previous has been sent, so a busy host never
  // piles beats up behind each other.
  let n = 0;
  let stopped = false;
  let timer: NodeJS.Timeout;
  const scheduleBeat = () => {
    timer = setTimeout(() => {
      n++;
      void beat(false, n % 6 === 0)
        .catch((err) => opts.log.warn({ err: (err as Error).message }, "heartbeat failed"))
        .then(() => {
          if (!stopped) scheduleBeat();
        });
    }, opts.heartbeatMs ?? 10_000);
  };
  scheduleBeat();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await consoles.stop();
      await worker.close();
      await events.close();
      connection.disconnect();
    },
  };
}
