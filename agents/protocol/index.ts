// The ONLY code shared by portal and agent: the wire format of jobs (portal → agent) and events
// (agent → portal), parsed with zod on both ends. Bump PROTOCOL_VERSION on any incompatible change.
import { z } from "zod";
import { agentMessageSchema } from "./agent-message";
export * from "./agent-message";
import { hardwareSchema } from "./hardware";
import { hypervisorKindSchema } from "./hypervisor";
import { applyNetworkJob, nicSpecSchema, removeNetworkJob } from "./network";
import {
  captureInstanceJob,
  createVolumeJob,
  deleteVolumeJob,
  snapshotJob,
  snapshotStateEvent,
  taskProgressEvent,
  volumeAttachmentJob,
  volumeStateEvent,
} from "./storage";

export * from "./hardware";
export * from "./hypervisor";
export * from "./network";
export * from "./storage";

// 4: events go on each host's own queue, and jobs carry no URLs (agents build them on the portal they joined).
// 5: instance.resize job and instance.resized event (an agent older than this fails the job as unknown,
// which puts the instance in ERROR with that reason).
// 6: labs and desktops — instance.create carries `hardware` (firmware, disk bus, NIC model, USB tablet,
// keyboard layout) and `throwaway` (snapshot mode: the disk is re-made from the base at every start);
// the instance.reset job (power off, disk re-made from its base or a new one, start); the console
// bridge's thumbnail endpoint (AGENT_THUMBNAIL_PATH) for grants of kind "thumbnail".
export const PROTOCOL_VERSION = 6;

export const instanceIdSchema = z.uuid();
export const hostIdSchema = z.uuid();

/** Queue of one host's jobs; only that host's agent consumes it. */
export const hostQueueName = (hostId: string) => `host-${hostId}`;
/**
 * Queue of one host's events to the portal. Only that host (and the portal) may write it, so the portal
 * knows who sent an event from the queue it arrived on, never from what the event says.
 */
export const hostEventsQueueName = (hostId: string) => `events-${hostId}`;
/**
 * A host's Redis user: its password is the host's secret, its keys only its two queues
 * (server/queue/host-channel.ts). Named under the install's prefix so installs sharing a Redis stay apart.
 */
export const hostRedisUsername = (redisPrefix: string, hostId: string) => `${redisPrefix}:host:${hostId}`;

/** A Redis address without user or password: a URL's credentials would win over a client's options. */
export function redisAddressOnly(redisUrl: string): string {
  const url = new URL(redisUrl);
  url.username = "";
  url.password = "";
  return url.toString();
}

// ---- jobs ------------------------------------------------------------------------------------------

export const imageRefSchema = z.object({
  id: z.uuid(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  format: z.enum(["qcow2", "raw"]),
  sizeBytes: z.number().int().positive(),
});
/**
 * Where an agent fetches an image: a path on the portal it joined, never an address from a job, so a
 * job cannot send the host's credentials anywhere else.
 */
export const agentImagePath = (imageId: string) => `/api/v1/agent/images/${imageId}/content`;
export type ImageRef = z.infer<typeof imageRefSchema>;

export const createInstanceJob = z.object({
  instanceId: instanceIdSchema,
  name: z.string().min(1).max(64),
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z
    .number()
    .int()
    .min(16)
    .max(4 * 1024 * 1024),
  diskGiB: z.number().int().min(1).max(65536),
  image: imageRefSchema,
  /** The agent builds the VM with this hypervisor's driver, and refuses the job if the host has none. */
  hypervisor: hypervisorKindSchema,
  /** NICs in guest order (eth0 first); each carries its network so the agent can build it first. */
  nics: z.array(nicSpecSchema).max(8).default([]),
  /** The guest's virtual hardware; absent = today's VMs (BIOS, virtio disk and NIC, tablet, en-us). */
  hardware: hardwareSchema.optional(),
  /**
   * Snapshot mode: the VM's writes go to an overlay over the cached base that is discarded whenever it
   * stops and made fresh before every start (a host reboot discards it too); the base is never written.
   */
  throwaway: z.boolean().default(false),
});
export const instanceActionJob = z.object({ instanceId: instanceIdSchema });
/**
 * Give a stopped VM another size: its next start uses these vCPUs and this RAM, and its disk grows to
 * diskGiB (never shrinks). Sizes are absolute, so a repeated job changes nothing more. The outcome comes
 * back as an instance.resized event; progress as instance.progress.
 */
export const resizeInstanceJob = z.object({
  instanceId: instanceIdSchema,
  vcpus: createInstanceJob.shape.vcpus,
  memoryMiB: createInstanceJob.shape.memoryMiB,
  diskGiB: createInstanceJob.shape.diskGiB,
});
/**
 * Back to the base: the VM is powered off at once (no guest shutdown), its disk made fresh from its base
 * — from `image` when given (fetched into the cache first, as create does; the VM's spec then names it)
 * — and started. Throw-away and persistent VMs alike. Progress as instance.progress; the outcome as
 * instance.state RUNNING (or ERROR with a reason) carrying the job's id.
 */
export const resetInstanceJob = z.object({
  instanceId: instanceIdSchema,
  image: imageRefSchema.optional(),
});
export const stopInstanceJob = instanceActionJob.extend({
  timeoutMs: z.number().int().min(0).max(600_000).default(30_000),
});

/** Push an image into this host's cache ahead of any instance; progress comes back as image.cache events. */
export const syncImageJob = z.object({ image: imageRefSchema, taskId: z.uuid() });

export const JOB_SCHEMAS = {
  "instance.create": createInstanceJob,
  "instance.start": instanceActionJob,
  "instance.stop": stopInstanceJob,
  "instance.reboot": instanceActionJob,
  "instance.delete": instanceActionJob,
  "instance.resize": resizeInstanceJob,
  "instance.reset": resetInstanceJob,
  "network.apply": applyNetworkJob,
  "network.remove": removeNetworkJob,
  "image.sync": syncImageJob,
  "snapshot.create": snapshotJob,
  "snapshot.revert": snapshotJob,
  "snapshot.delete": snapshotJob,
  "instance.capture": captureInstanceJob,
  "volume.create": createVolumeJob,
  "volume.attach": volumeAttachmentJob,
  "volume.detach": volumeAttachmentJob,
  "volume.delete": deleteVolumeJob,
} as const;
export type JobName = keyof typeof JOB_SCHEMAS;
export type JobPayload<N extends JobName> = z.input<(typeof JOB_SCHEMAS)[N]>;
/** What the portal may put in each job (before defaults): the typed job port checks payloads against it. */
export type HostJobPayloads = { [N in JobName]: JobPayload<N> };

export function parseJob<N extends JobName>(name: N, data: unknown): z.output<(typeof JOB_SCHEMAS)[N]> {
  const schema = JOB_SCHEMAS[name];
  if (!schema) throw new Error(`unknown job ${String(name)}`);
  return schema.parse(data) as z.output<(typeof JOB_SCHEMAS)[N]>;
}

// ---- events ----------------------------------------------------------------------------------------

const CONSOLE_URL_PATTERN =
  /^wss?:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):([0-9]{1,5})$/;

/**
 * Where the portal's console proxy reaches a host's console bridge: ws:// or wss://, a host and a port,
 * nothing else (no path, credentials, query or fragment: the proxy appends its own path and grant).
 * Pinned when the host joins; only an admin changes it.
 */
export const consoleUrlSchema = z
  .string()
  .max(300)
  .refine((v) => {
    const m = CONSOLE_URL_PATTERN.exec(v);
    const port = Number(m?.[1]);
    return !!m && port >= 1 && port <= 65535 && URL.canParse(v);
  }, "a console address is ws:// or wss://, a host and a port, e.g. ws://node7.lab:7901");

export const isConsoleUrl = (v: unknown): v is string => consoleUrlSchema.safeParse(v).success;

export const hostFactsSchema = z.object({
  hostname: z.string().max(255),
  cpuModel: z.string().max(255),
  cpuCount: z.number().int().min(1),
  memoryMiB: z.number().int().min(1),
  diskFreeBytes: z.number().int().min(0),
  diskTotalBytes: z.number().int().min(0),
  storageDir: z.string().max(1024),
  hypervisors: z
    .array(
      z.object({
        kind: hypervisorKindSchema,
        /** Offered: the agent takes instance.create jobs for this kind. */
        available: z.boolean(),
        version: z.string().max(128).optional(),
        reason: z.string().max(500).optional(),
      }),
    )
    .max(8),
  kvmUsable: z.boolean(),
  /** English, for old portals and logs; the portal shows kvmReasonMessage in the reader's language. */
  kvmReason: z.string().max(500).optional(),
  kvmReasonMessage: agentMessageSchema.optional(),
  agentVersion: z.string().max(32),
  protocolVersion: z.number().int(),
  /**
   * The agent runs in local mode (EDUCLOUD_AGENT_LOCAL_MODE): a lab PC whose screen shows desktops it
   * starts itself. The portal places nothing on such a host, whatever its cluster (decision 016).
   */
  localMode: z.boolean().optional(),
  // No console address here: it is pinned when the host joins (joinRequestSchema.consoleUrl) and only an
  // admin changes it; one still sent in a heartbeat is dropped by this schema.
});
export type HostFacts = z.infer<typeof hostFactsSchema>;

export const OBSERVED_VM_STATES = ["running", "paused", "stopped"] as const;

const base = { hostId: hostIdSchema, at: z.coerce.date() };

export const heartbeatEvent = z.object({
  ...base,
  type: z.literal("host.heartbeat"),
  facts: hostFactsSchema.optional(),
  /** Every VM the agent found on the host with its real state (reconcile input). */
  vms: z
    .array(
      z.object({
        instanceId: z.string().max(64),
        state: z.enum(OBSERVED_VM_STATES),
        accel: z.string().max(8).optional(),
        /** Connected console viewers (VNC clients from QMP query-vnc, plus serial sessions); absent = unknown. */
        viewers: z.number().int().min(0).max(10_000).optional(),
      }),
    )
    .max(10_000),
  /** True on the first heartbeat after the agent started: the portal reconciles fully. */
  startup: z.boolean().default(false),
});

export const instanceProgressEvent = z.object({
  ...base,
  type: z.literal("instance.progress"),
  instanceId: instanceIdSchema,
  percent: z.number().min(0).max(100),
  message: z.string().max(500),
});

export const INSTANCE_REPORTED_STATES = ["BUILDING", "RUNNING", "STOPPED", "DELETED", "ERROR"] as const;
export const instanceStateEvent = z.object({
  ...base,
  type: z.literal("instance.state"),
  instanceId: instanceIdSchema,
  state: z.enum(INSTANCE_REPORTED_STATES),
  reason: z.string().max(2000).optional(),
  reasonMessage: agentMessageSchema.optional(),
  accel: z.enum(["kvm", "tcg", "none"]).optional(),
  /** The job that produced this report, so a late report of an old job can be recognised. */
  jobId: z.string().max(200).optional(),
});

/**
 * What became of an instance.resize job: `resized` when the VM's stored spec (and disk) now have the
 * sizes the job asked for, `failed` when nothing changed (the VM keeps its old size).
 */
export const instanceResizedEvent = z.object({
  ...base,
  type: z.literal("instance.resized"),
  instanceId: instanceIdSchema,
  state: z.enum(["resized", "failed"]),
  reason: z.string().max(2000).optional(),
  reasonMessage: agentMessageSchema.optional(),
  jobId: z.string().max(200).optional(),
});

/** What became of a network.apply / network.remove on this host (shown per host on the network's page). */
export const networkStateEvent = z.object({
  ...base,
  type: z.literal("network.state"),
  networkId: z.uuid(),
  state: z.enum(["applied", "removed", "error"]),
  /** The spec revision applied (absent for removals). */
  revision: z.number().int().min(0).optional(),
  reason: z.string().max(2000).optional(),
});

/** An image in this host's cache: being fetched (with progress), cached, failed, or evicted (LRU). */
export const imageCacheEvent = z.object({
  ...base,
  type: z.literal("image.cache"),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  state: z.enum(["fetching", "cached", "failed", "evicted"]),
  bytesDone: z.number().int().min(0).optional(),
  bytesTotal: z.number().int().min(0).optional(),
  reason: z.string().max(2000).optional(),
  reasonMessage: agentMessageSchema.optional(),
  /** The sync task this report belongs to, when it came from an image.sync job. */
  taskId: z.uuid().optional(),
});

export const agentEventSchema = z.discriminatedUnion("type", [
  heartbeatEvent,
  instanceProgressEvent,
  instanceStateEvent,
  instanceResizedEvent,
  networkStateEvent,
  imageCacheEvent,
  snapshotStateEvent,
  volumeStateEvent,
  taskProgressEvent,
]);
export type AgentEvent = z.infer<typeof agentEventSchema>;
export type AgentEventInput = z.input<typeof agentEventSchema>;

// ---- join ------------------------------------------------------------------------------------------

export const joinRequestSchema = z.object({
  token: z.string().min(20).max(200),
  name: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/),
  facts: hostFactsSchema,
  /** Where the portal will reach this host's console bridge, from now on (an admin may change it). */
  consoleUrl: consoleUrlSchema,
});
export const joinResponseSchema = z.object({
  hostId: hostIdSchema,
  hostSecret: z.string().min(32),
  redisUrl: z.string(),
  redisPrefix: z.string(),
  portalUrl: z.url(),
  protocolVersion: z.number().int(),
});
export type JoinResponse = z.infer<typeof joinResponseSchema>;

/** Agents fetch the portal's console-grant verify key here (host credentials), at start. */
export const CONSOLE_KEY_PATH = "/api/v1/agent/console-key";
/** The agent's console bridge: `${pinned console URL}${AGENT_CONSOLE_PATH}?grant=<signed grant>`. */
export const AGENT_CONSOLE_PATH = "/console";
/**
 * The console bridge's screenshot of a VM's display (no software in the guest: QMP screendump):
 * `GET ${pinned console URL as http(s)}${AGENT_THUMBNAIL_PATH}?grant=<signed grant of kind "thumbnail">`
 * answers image/png. Beside the console path, so a proxy that routes one routes both.
 */
export const AGENT_THUMBNAIL_PATH = "/console/thumbnail";

/** How an agent proves who it is to the portal over HTTP (image fetch, console bridge). */
export const hostAuthHeader = (hostId: string, secret: string) => `Bearer ${hostId}.${secret}`;
export function parseHostAuthHeader(
  value: string | null | undefined,
): { hostId: string; secret: string } | null {
  const m = /^Bearer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{32,128})$/.exec(value ?? "");
  return m ? { hostId: m[1]!, secret: m[2]! } : null;
}
