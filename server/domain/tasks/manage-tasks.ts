// Long work (conversion, sync to hosts, later capture) is a row here with state and progress; the
// Tasks page follows it. Writes of progress are throttled: a bar needs a few updates a second, not one
// per chunk.
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import { images, tasks, users, type TaskRow, type TaskState } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor, DomainContext } from "../context";
import { requireActor } from "../context";
import { renderEnglish } from "../render-english";
import { msg, type Message } from "@/common/message";
import { visibleRowsOf } from "../policies/authorize";

export interface NewTask {
  kind: string;
  targetType: string;
  targetId: string | null;
  targetName: string;
  hostId?: string | null;
  bytesTotal?: number | null;
  createdBy: number | null;
  message?: Message;
}

export async function createTask(db: Database, t: NewTask): Promise<string> {
  const id = randomUUID();
  await db.insert(tasks).values({
    id,
    kind: t.kind,
    targetType: t.targetType,
    targetId: t.targetId,
    targetName: t.targetName.slice(0, 128),
    hostId: t.hostId ?? null,
    bytesTotal: t.bytesTotal ?? null,
    createdBy: t.createdBy,
    ...messageColumns(t.message),
  });
  return id;
}

export interface TaskUpdate {
  state?: TaskState;
  percent?: number;
  bytesDone?: number | null;
  bytesTotal?: number | null;
  message?: Message | null;
  error?: Message | null;
  targetId?: string | null;
}

/** English text (fallback, logs) beside the code the UI renders. */
function messageColumns(m: Message | null | undefined) {
  return {
    message: m ? renderEnglish(m).slice(0, 500) : null,
    messageCode: m?.code ?? null,
    messageParams: m?.params ?? null,
  };
}

function errorColumns(m: Message | null | undefined) {
  return {
    error: m ? renderEnglish(m).slice(0, 2000) : null,
    errorCode: m?.code ?? null,
    errorParams: m?.params ?? null,
  };
}

/** The database or a transaction: a task's end can be written together with the rows it describes. */
type TaskWriter = Pick<Database, "update">;

/**
 * Applies an update; a finished task (succeeded/failed) is never moved back by a late report. True when
 * the task was still open and took the update.
 */
export async function updateTask(db: TaskWriter, id: string, u: TaskUpdate): Promise<boolean> {
  const now = new Date();
  const set: Partial<typeof tasks.$inferInsert> = { updatedAt: now };
  if (u.state) set.state = u.state;
  if (u.state === "running") set.startedAt = now;
  if (u.state === "succeeded" || u.state === "failed") set.finishedAt = now;
  if (u.state === "succeeded") set.percent = 100;
  if (u.percent !== undefined) set.percent = Math.max(0, Math.min(100, Math.round(u.percent)));
  if (u.bytesDone !== undefined) set.bytesDone = u.bytesDone;
  if (u.bytesTotal !== undefined) set.bytesTotal = u.bytesTotal;
  if (u.message !== undefined) Object.assign(set, messageColumns(u.message));
  if (u.error !== undefined) Object.assign(set, errorColumns(u.error));
  if (u.targetId !== undefined) set.targetId = u.targetId;
  const [res] = await db
    .update(tasks)
    .set(set)
    .where(and(eq(tasks.id, id), inArray(tasks.state, ["queued", "running"])));
  return res.affectedRows > 0;
}

/**
 * Claims an open task for one worker by naming its target, which must not be named yet: one conditional
 * UPDATE, so of any number of callers at once exactly one gets true. For tasks whose target does not
 * exist until the work is done (a capture's image); the progress columns stay free for the agent's reports.
 */
export async function claimTask(db: Database, id: string, targetId: string): Promise<boolean> {
  const [res] = await db
    .update(tasks)
    .set({ targetId, updatedAt: new Date() })
    .where(and(eq(tasks.id, id), inArray(tasks.state, ["queued", "running"]), isNull(tasks.targetId)));
  return res.affectedRows > 0;
}

/** A progress reporter that writes at most every `intervalMs` (the last call before finishing is dropped; finish writes 100). */
export function throttledTaskProgress(db: Database, id: string, intervalMs = 500) {
  let last = 0;
  return (percent: number, message: Message, bytesDone?: number): void => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    void updateTask(db, id, { percent, message, ...(bytesDone !== undefined ? { bytesDone } : {}) }).catch(
      () => undefined,
    );
  };
}

/** Own tasks for everyone; a powerAdm also sees those of their groups' members; superAdm sees all. */
async function visibleTasks(ctx: DomainContext, actor: Actor): Promise<SQL | undefined> {
  return visibleRowsOf(actor, "tasks", ctx.db) ?? undefined;
}

export interface TaskView extends TaskRow {
  createdByName: string | null;
}

export async function listTasks(ctx: DomainContext, input: { limit?: number } = {}): Promise<TaskView[]> {
  const actor = requireActor(ctx);
  const rows = await ctx.db
    .select({ task: tasks, createdByName: users.username })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.createdBy))
    .where(await visibleTasks(ctx, actor))
    .orderBy(desc(tasks.createdAt))
    .limit(input.limit ?? 200);
  return rows.map((r) => ({ ...r.task, createdByName: r.createdByName }));
}

/**
 * At portal start: imports run inside the portal process, and so does storing a captured disk once the
 * portal has claimed its capture task (target named); one still "running" was cut off by a restart and
 * will never finish. Says so instead of showing it running for ever. An image a cut-off capture had
 * already stored is withdrawn (soft-deleted), as a failed capture's is. (One portal process per install;
 * several would need an owner per task.)
 */
export async function failInterruptedImports(db: Database): Promise<number> {
  const now = new Date();
  const open = inArray(tasks.state, ["queued", "running"]);
  const cutCaptures = and(eq(tasks.kind, "instance.capture"), open, isNotNull(tasks.targetId));
  const orphans = await db.select({ id: tasks.targetId }).from(tasks).where(cutCaptures);
  const orphanIds = orphans.map((o) => o.id).filter((id): id is string => !!id);
  if (orphanIds.length)
    await db
      .update(images)
      .set({ deletedAt: now })
      .where(and(inArray(images.id, orphanIds), isNull(images.deletedAt)));
  const [captures] = await db
    .update(tasks)
    .set({
      state: "failed",
      ...errorColumns(msg("tasks.captureCutByRestart")),
      ...messageColumns(null),
      targetId: null,
      finishedAt: now,
      updatedAt: now,
    })
    .where(cutCaptures);
  const [imports] = await db
    .update(tasks)
    .set({
      state: "failed",
      ...errorColumns(msg("tasks.importCutByRestart")),
      ...messageColumns(null),
      finishedAt: now,
      updatedAt: now,
    })
    .where(and(eq(tasks.kind, "image.import"), open));
  return imports.affectedRows + captures.affectedRows;
}
