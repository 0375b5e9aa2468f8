// Push an image into hosts' caches before any instance needs it. One task per host, followed by the
// agent's image.cache reports, which also keep host_images (what the scheduler prefers) true.
import { and, asc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { imageCacheEvent, ImageRef } from "@/agents/protocol";
import { hostImages, hosts, tasks, type ImageRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { DomainContext } from "../context";
import { requireActor } from "../context";
import { DomainError } from "../errors";
import type { EventRegistration } from "../events/dispatcher";
import { createTask, updateTask } from "../tasks/manage-tasks";
import { findVisibleImage } from "./find-images";
import { msg } from "@/common/message";
import { agentMessage } from "../agent-message";
import { renderEnglish } from "../render-english";

export function imageRefOf(image: ImageRow): ImageRef {
  return {
    id: image.id,
    sha256: image.sha256,
    format: image.format,
    sizeBytes: image.sizeBytes,
  };
}

export async function syncImageToHosts(
  ctx: DomainContext,
  input: { id: string; hostIds: string[] },
): Promise<{ id: string; taskIds: string[] }> {
  const actor = requireActor(ctx);
  const image = await findVisibleImage(ctx, input.id);
  const rows = await ctx.db
    .select({ id: hosts.id, name: hosts.name, revokedAt: hosts.revokedAt })
    .from(hosts);
  const known = new Map(rows.map((h) => [h.id, h.name]));
  const missing = input.hostIds.filter((h) => !known.has(h));
  if (missing.length)
    throw new DomainError("NOT_FOUND", msg("notFound.hosts", { ids: missing.join(", ") }), {
      hostIds: msg("field.unknownHost"),
    });
  // A revoked host gets no new work (a disabled one may still be filled ahead of being enabled).
  const revoked = rows.find((h) => h.revokedAt && input.hostIds.includes(h.id));
  if (revoked) throw new DomainError("CONFLICT", msg("hosts.revoked", { name: revoked.name }));
  return { id: image.id, taskIds: await pushImageToHosts(ctx, image, input.hostIds, known, actor.id) };
}

/**
 * One image.sync task per host, the cache row marked fetching, the job queued. Also used when a profile
 * publishes a new base (pushed to the hosts that had the old one, no caller to check then).
 */
export async function pushImageToHosts(
  ctx: Pick<DomainContext, "db" | "jobs">,
  image: ImageRow,
  hostIds: string[],
  known: Map<string, string>,
  createdBy: number | null,
): Promise<string[]> {
  const taskIds: string[] = [];
  for (const hostId of [...new Set(hostIds)]) {
    const taskId = await createTask(ctx.db, {
      kind: "image.sync",
      targetType: "image",
      targetId: image.id,
      targetName: `${image.name} v${image.version} → ${known.get(hostId)}`,
      hostId,
      bytesTotal: image.sizeBytes,
      createdBy,
      message: msg("tasks.queuedForAgent"),
    });
    await ctx.db
      .insert(hostImages)
      .values({ hostId, sha256: image.sha256, state: "fetching", percent: 0 })
      .onDuplicateKeyUpdate({ set: { updatedAt: new Date() } });
    try {
      await ctx.jobs.enqueue(hostId, "image.sync", { image: imageRefOf(image), taskId }, `sync-${taskId}`);
    } catch {
      // Nothing reached the host: say so on the task and the cache row instead of "fetching" for ever.
      const reason = renderEnglish(msg("tasks.agentUnreachable"));
      await updateTask(ctx.db, taskId, { state: "failed", error: msg("tasks.agentUnreachable") });
      await ctx.db
        .update(hostImages)
        .set({ state: "failed", error: reason, updatedAt: new Date() })
        .where(
          and(
            eq(hostImages.hostId, hostId),
            eq(hostImages.sha256, image.sha256),
            eq(hostImages.state, "fetching"),
          ),
        );
      throw new DomainError("UNAVAILABLE", msg("images.agentUnreachable"));
    }
    taskIds.push(taskId);
  }
  return taskIds;
}

/** Records an agent's cache report in host_images and in the sync task it belongs to. */
export async function applyImageCacheEvent(
  db: Database,
  ev: z.output<typeof imageCacheEvent>,
): Promise<void> {
  const [host] = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, ev.hostId));
  if (!host) return;
  const percent = ev.bytesTotal ? Math.floor(((ev.bytesDone ?? 0) / ev.bytesTotal) * 100) : null;
  const where = and(eq(hostImages.hostId, ev.hostId), eq(hostImages.sha256, ev.sha256));
  if (ev.state === "evicted") {
    await db.delete(hostImages).where(where);
  } else {
    const row = {
      state: ev.state,
      percent: ev.state === "cached" ? 100 : percent,
      error: ev.state === "failed" ? (ev.reason ?? "failed").slice(0, 2000) : null,
      updatedAt: new Date(),
      ...(ev.state === "cached" ? { cachedAt: new Date() } : {}),
    };
    // A late "fetching" must not turn a cached entry back.
    const [existing] = await db.select({ state: hostImages.state }).from(hostImages).where(where);
    if (!(existing?.state === "cached" && ev.state === "fetching")) {
      await db
        .insert(hostImages)
        .values({ hostId: ev.hostId, sha256: ev.sha256, ...row })
        .onDuplicateKeyUpdate({ set: row });
    }
  }
  if (!ev.taskId) return;
  // Only a task given to the sender: a host may not finish (or fail) another host's work.
  const [task] = await db.select({ hostId: tasks.hostId }).from(tasks).where(eq(tasks.id, ev.taskId));
  if (task?.hostId !== ev.hostId) return;
  if (ev.state === "fetching") {
    await updateTask(db, ev.taskId, {
      state: "running",
      percent: percent ?? 0,
      bytesDone: ev.bytesDone ?? null,
      message: msg("tasks.fetching"),
    });
  } else if (ev.state === "cached") {
    await updateTask(db, ev.taskId, {
      state: "succeeded",
      bytesDone: ev.bytesTotal ?? null,
      message: agentMessage(ev.reasonMessage, ev.reason, msg("tasks.cached")),
    });
  } else if (ev.state === "failed") {
    await updateTask(db, ev.taskId, {
      state: "failed",
      error: agentMessage(ev.reasonMessage, ev.reason, msg("tasks.hostCouldNotFetch")),
    });
  }
}

export interface HostCacheView {
  hostId: string;
  hostName: string;
  enabled: boolean;
  lastHeartbeatAt: Date | null;
  state: "fetching" | "cached" | "failed" | null;
  percent: number | null;
  error: string | null;
  cachedAt: Date | null;
}

/** Every host with this image's cache state there (null = not cached). */
export async function listImageHostCache(ctx: DomainContext, id: string): Promise<HostCacheView[]> {
  const image = await findVisibleImage(ctx, id);
  const rows = await ctx.db
    .select({ host: hosts, cache: hostImages })
    .from(hosts)
    .leftJoin(hostImages, and(eq(hostImages.hostId, hosts.id), eq(hostImages.sha256, image.sha256)))
    .orderBy(asc(hosts.name));
  return rows.map(({ host, cache }) => ({
    hostId: host.id,
    hostName: host.name,
    enabled: host.enabled,
    lastHeartbeatAt: host.lastHeartbeatAt,
    state: cache?.state ?? null,
    percent: cache?.percent ?? null,
    error: cache?.error ?? null,
    cachedAt: cache?.state === "cached" ? cache.cachedAt : null,
  }));
}

export const registerImageEvents: EventRegistration = (r) => {
  r.on("image.cache", (ctx, ev) => applyImageCacheEvent(ctx.db, ev));
};
