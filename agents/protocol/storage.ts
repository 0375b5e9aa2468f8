// Wire format of instance storage (C4 snapshots, C5 capture into an image, C6 volumes): the jobs the
// portal sends a host, and the reports the host's agent sends back. The portal's rows are the truth
// about what exists; the agent reports what became of each job.
import { z } from "zod";

const base = { hostId: z.uuid(), at: z.coerce.date() };
/** The job that produced a report, so a late report of an old job can be recognised. */
const jobId = z.string().max(200).optional();
const reason = z.string().max(2000).optional();

/** At most this many volumes per instance: each takes one hot-plug slot (a PCIe root port). */
export const MAX_VOLUMES_PER_INSTANCE = 4;
export const MAX_VOLUME_GIB = 16_384;

// ---- jobs ------------------------------------------------------------------------------------------

/** Snapshots are internal qcow2 snapshots of the instance disk, named (tagged) by the snapshot's id. */
export const snapshotJob = z.object({ instanceId: z.uuid(), snapshotId: z.uuid() });

/**
 * Capture the instance disk (overlay + base) into one standalone qcow2 and PUT it, with the host's
 * credentials, to capturePath(taskId) on the portal the agent joined — never to an address from the job;
 * the portal imports it as a new image and finishes the task.
 */
export const captureInstanceJob = z.object({ instanceId: z.uuid(), taskId: z.uuid() });

export const createVolumeJob = z.object({
  volumeId: z.uuid(),
  sizeGiB: z.number().int().min(1).max(MAX_VOLUME_GIB),
});
export const volumeAttachmentJob = z.object({ volumeId: z.uuid(), instanceId: z.uuid() });
export const deleteVolumeJob = z.object({ volumeId: z.uuid() });

// ---- events ----------------------------------------------------------------------------------------

/**
 * What became of a snapshot job. `created` carries the disk usage pinned by the snapshot; a failed
 * revert or delete leaves the snapshot as it was (`failed` with the operation and the reason).
 */
export const snapshotStateEvent = z.object({
  ...base,
  type: z.literal("snapshot.state"),
  instanceId: z.uuid(),
  snapshotId: z.uuid(),
  state: z.enum(["created", "reverted", "deleted", "failed"]),
  operation: z.enum(["create", "revert", "delete"]),
  sizeBytes: z.number().int().min(0).optional(),
  reason,
  jobId,
});

/** What became of a volume job; `instanceId` names the instance an attach/detach was about. */
export const volumeStateEvent = z.object({
  ...base,
  type: z.literal("volume.state"),
  volumeId: z.uuid(),
  state: z.enum(["created", "attached", "detached", "deleted", "failed"]),
  operation: z.enum(["create", "attach", "detach", "delete"]),
  instanceId: z.uuid().optional(),
  reason,
  jobId,
});

/**
 * Progress of host-side work that belongs to a portal task (capture: converting, then uploading).
 * `failed` ends the task; success is recorded by the portal itself when it has stored the result.
 */
export const taskProgressEvent = z.object({
  ...base,
  type: z.literal("task.progress"),
  taskId: z.uuid(),
  state: z.enum(["running", "failed"]),
  percent: z.number().min(0).max(100),
  bytesDone: z.number().int().min(0).optional(),
  bytesTotal: z.number().int().min(0).optional(),
  message: z.string().max(500).optional(),
  reason,
});

/** Where an agent uploads a captured disk (PUT, host credentials, body = the qcow2). */
export const capturePath = (taskId: string) => `/api/v1/agent/captures/${taskId}`;
