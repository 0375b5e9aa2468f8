// The portal's end of a capture: the host that was given the task streams the captured qcow2 here; it is
// written to the image store's incoming directory and imported with the images domain's importImage —
// the same qemu-img checks (no backing file, no damage) and sha256 as an upload — then the task ends.
import { randomUUID } from "node:crypto";
import { rm, stat } from "node:fs/promises";
import { eq } from "drizzle-orm";
import {
  images,
  instanceCaptures,
  instances,
  tasks,
  type ImageRow,
  type InstanceCaptureRow,
} from "@/db/schema";
import type { JobPort } from "../context";
import type { Database } from "@/server/db/client";
import { DomainError, messageOf } from "../errors";
import { DEFAULT_MAX_BYTES, importImage, removeStoredFileIfUnused } from "../images/import-image";
import { receiveToIncoming } from "../images/receive-to-incoming";
import { recordInstanceEvent } from "../instances/record-event";
import { claimTask, throttledTaskProgress, updateTask } from "../tasks/manage-tasks";
import { msg } from "@/common/message";
import { renderEnglish } from "../render-english";

export interface ReceiveCaptureDeps {
  db: Database;
  storeDir: string;
  maxBytes?: number;
  maxVirtualBytes?: number;
  convertTimeoutSeconds?: number;
  /** Told about a clean-up that failed after the request's own error (the caller logs it). */
  onError?: (err: unknown, what: string) => void;
  /** The agents' queue: a published admin mode pushes the new base and deletes its machine. */
  jobs?: JobPort;
  /** What else a capture task may be (a profile's admin mode being published); see CapturePublisher. */
  publisher?: CapturePublisher;
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * A capture that is more than an image: a profile's admin mode being published (profiles/publications.ts).
 * The transport passes it in, so captures need not know profiles (profiles start captures).
 */
export interface CapturePublisher {
  /** The publication this capture task is, or null for a plain capture. */
  find(db: Database, taskId: string): Promise<CapturePublication | null>;
}

export interface CapturePublication {
  /** For the log when finish fails. */
  readonly label: string;
  /** How the image is stored: the next version of a family, seen by a group. */
  imageOptions(
    db: Database,
  ): Promise<{ newVersionOf?: string; visibility: "public" | "group"; groupId: number | null }>;
  /** In the transaction that ends the capture task. */
  record(tx: Tx, image: ImageRow): Promise<unknown>;
  /** After that transaction committed. */
  finish(deps: { db: Database; jobs: JobPort }, image: ImageRow): Promise<void>;
}

/** Returns the new image's id. Throws DomainError (NOT_FOUND, CONFLICT, INVALID) otherwise. */
export async function receiveCapture(
  deps: ReceiveCaptureDeps,
  /** hostId: the host whose credential the transport checked. */
  input: { hostId: string; taskId: string; body: ReadableStream<Uint8Array> | null },
): Promise<{ imageId: string }> {
  const host = { id: input.hostId };
  const [row] = await deps.db
    .select({ cap: instanceCaptures, task: tasks })
    .from(instanceCaptures)
    .innerJoin(tasks, eq(tasks.id, instanceCaptures.taskId))
    .where(eq(instanceCaptures.taskId, input.taskId));
  // Another host must not be able to put an image in someone's name: only the task's own host uploads.
  if (!row || row.cap.hostId !== host.id) throw new DomainError("NOT_FOUND", msg("notFound.captureTask"));
  if (row.task.state !== "queued" && row.task.state !== "running")
    throw new DomainError("CONFLICT", msg("captures.taskEnded", { state: row.task.state }));
  if (!input.body) throw new DomainError("INVALID", msg("captures.noBody"));
  // The checks above are a read: two PUTs arriving together (a retried job, a repeated request) both pass
  // them. The claim is the one atomic gate — it names the image-to-be as the task's target, once — so
  // only one upload is received and imported; the other is refused before a byte is read.
  const imageId = randomUUID();
  if (row.task.targetId || !(await claimTask(deps.db, input.taskId, imageId)))
    throw new DomainError("CONFLICT", msg("captures.alreadyReceiving"));

  let incomingPath: string;
  try {
    incomingPath = await receiveToIncoming(deps.storeDir, input.body, deps.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (err) {
    await updateTask(deps.db, input.taskId, {
      state: "failed",
      targetId: null,
      error: err instanceof DomainError ? messageOf(err) : msg("tasks.uploadBrokeOff"),
    });
    throw err;
  }
  let image: ImageRow | undefined;
  try {
    // The agent's last upload report is throttled away; what arrived here is the truth.
    const received = (await stat(incomingPath)).size;
    await updateTask(deps.db, input.taskId, {
      percent: 95,
      bytesDone: received,
      bytesTotal: received,
      message: msg("tasks.checkingAndStoring"),
    });
    const progress = throttledTaskProgress(deps.db, input.taskId);
    const [inst] = await deps.db
      .select({ diskGiB: instances.diskGiB, memoryMiB: instances.memoryMiB })
      .from(instances)
      .where(eq(instances.id, row.cap.instanceId));
    // Admin mode being published: the next version of the profile's image family, for its group.
    const publication = (await deps.publisher?.find(deps.db, input.taskId)) ?? null;
    image = await importImage(
      { ...deps, onProgress: (p, m) => progress(95 + Math.round(p / 20), m) },
      {
        id: imageId,
        incomingPath,
        name: row.cap.imageName,
        format: "qcow2",
        visibility: "private",
        ownerId: row.cap.ownerId,
        groupId: row.cap.groupId,
        minDiskGiB: inst?.diskGiB ?? 0,
        ...(publication ? await publication.imageOptions(deps.db) : {}),
      },
    );
    await finishCapture(deps.db, row.cap, image, publication);
    if (publication && deps.jobs)
      await publication
        .finish({ db: deps.db, jobs: deps.jobs }, image)
        .catch((e: unknown) => deps.onError?.(e, `after publishing ${publication.label}`));
    return { imageId: image.id };
  } catch (err) {
    // importImage removes the incoming file itself; a failure before it ran must not leave it behind.
    await rm(incomingPath, { force: true }).catch(() => undefined);
    // A task that says failed must not leave its image behind (owners would find an image nobody made).
    if (image) {
      await withdrawImage(deps, image).catch((e: unknown) =>
        deps.onError?.(e, `the image ${image!.id} of a failed capture could not be withdrawn`),
      );
    }
    const reason = err instanceof DomainError ? messageOf(err) : msg("tasks.captureServerProblem");
    await updateTask(deps.db, input.taskId, {
      state: "failed",
      targetId: null,
      error: reason,
      message: null,
    });
    await recordInstanceEvent(deps.db, {
      instanceId: row.cap.instanceId,
      kind: "error",
      message: msg("events.captureFailed", { name: row.cap.imageName, reason: renderEnglish(reason) }),
    });
    throw err;
  }
}

/**
 * The capture row names its image, the task says succeeded, the instance's history says so: all or
 * none, so no task is "succeeded" without its image and no capture names an image of a failed task.
 */
async function finishCapture(
  db: Database,
  cap: InstanceCaptureRow,
  image: ImageRow,
  publication: CapturePublication | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (publication) await publication.record(tx, image);
    await tx
      .update(instanceCaptures)
      .set({ imageId: image.id })
      .where(eq(instanceCaptures.taskId, cap.taskId));
    const ended = await updateTask(tx, cap.taskId, {
      state: "succeeded",
      targetId: image.id,
      message: msg("tasks.storedAsImage", { name: image.name }),
    });
    if (!ended) throw new DomainError("CONFLICT", msg("captures.endedWhileStoring"));
    await recordInstanceEvent(tx, {
      instanceId: cap.instanceId,
      kind: "info",
      message: msg("events.captured", { name: image.name }),
    });
  });
}

/** Soft, like any image delete (the row may already be referred to); the file goes if no one else has it. */
async function withdrawImage(deps: ReceiveCaptureDeps, image: ImageRow): Promise<void> {
  await deps.db.update(images).set({ deletedAt: new Date() }).where(eq(images.id, image.id));
  await removeStoredFileIfUnused(deps, image.sha256);
}
