// Long work (conversion, sync to hosts, later capture) is a row here with state and progress; the
// Tasks page follows it. Writes of progress are throttled: a bar needs a few updates a second, not one
// per chunk.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNotNull, isNull, like, type SQL } from "drizzle-orm";
import { images, memberships, tasks, users, type TaskRow, type TaskState } from "@/db/schema";
import type { Page } from "@/common/paging";
import type { ListTasksInput, TASK_SORTS } from "@/common/tasks";
import type { Database } from "@/server/db/client";
import type { DomainContext } from "../context";
import { requireActor } from "../context";
import { renderEnglish } from "../render-english";
import { msg, type Message } from "@/common/message";
import { assertMayActOn, visibleRowsOf } from "../policies/authorize";
import { notFound } from "../errors";
import { countAll, finishPage, likeEscaped, pageClauses, type Keyset } from "../paging/keyset";

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

export interface TaskView extends TaskRow {
  createdByName: string | null;
}

const TASK_KEYSET: Keyset<(typeof TASK_SORTS)[number]> = {
  sorts: { createdAt: { column: tasks.createdAt, kind: "date" } },
  id: { column: tasks.id, kind: "string" },
};

/** Own tasks for everyone; a powerAdm also those of their groups' members; superAdm all (tasks policy). */
function listFilter(ctx: DomainContext, input: ListTasksInput): SQL | undefined {
  const actor = requireActor(ctx);
  return and(
    visibleRowsOf(actor, "tasks", ctx.db) ?? undefined,
    input.state ? eq(tasks.state, input.state) : undefined,
    input.kind ? eq(tasks.kind, input.kind) : undefined,
    input.search ? like(tasks.targetName, `%${likeEscaped(input.search)}%`) : undefined,
  );
}

/** One page's rows through the index on the sort column (exported so a test can EXPLAIN it). */
export function taskPageQuery(ctx: DomainContext, input: ListTasksInput) {
  const page = pageClauses(TASK_KEYSET, input);
  return ctx.db
    .select()
    .from(tasks)
    .where(and(listFilter(ctx, input), page.after))
    .orderBy(...page.orderBy)
    .limit(page.limit);
}

export async function listTasks(ctx: DomainContext, input: ListTasksInput): Promise<Page<TaskView>> {
  const [rows, [count]] = await Promise.all([
    taskPageQuery(ctx, input),
    ctx.db.select({ n: countAll }).from(tasks).where(listFilter(ctx, input)),
  ]);
  const { items, nextCursor } = finishPage(TASK_KEYSET, input, rows);
  return { items: await withCreatorNames(ctx.db, items), nextCursor, total: count?.n ?? 0 };
}

async function withCreatorNames(db: Database, rows: TaskRow[]): Promise<TaskView[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.createdBy === null ? [] : [r.createdBy])))];
  const names = new Map<number, string>();
  if (ids.length)
    for (const u of await db
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(inArray(users.id, ids)))
      names.set(u.id, u.username);
  return rows.map((r) => ({
    ...r,
    createdByName: r.createdBy === null ? null : (names.get(r.createdBy) ?? null),
  }));
}

/**
 * One task with its state, progress, bytes, message or error and target, for whoever may see it in the
 * list (the REST API's 202 answers point here). Someone else's task is refused as the policy says.
 */
export async function getTask(ctx: DomainContext, id: string): Promise<TaskView> {
  const actor = requireActor(ctx);
  const [row] = await ctx.db.select().from(tasks).where(eq(tasks.id, id));
  if (!row) throw notFound("task");
  const creatorGroupIds =
    row.createdBy === null
      ? []
      : (
          await ctx.db
            .select({ groupId: memberships.groupId })
            .from(memberships)
            .where(eq(memberships.userId, row.createdBy))
        ).map((m) => m.groupId);
  assertMayActOn(actor, "tasks", { createdBy: row.createdBy, creatorGroupIds });
  return (await withCreatorNames(ctx.db, [row]))[0]!;
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
