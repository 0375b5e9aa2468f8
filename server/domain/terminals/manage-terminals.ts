// The admin's side of terminals: the list (online = heard from within 2 minutes, the lab, the desktop it
// shows, who is signed in at it), approve with a lab (and optionally a seat desktop), rename, move,
// seat, keyboard layout, revoke and delete. Scope: the terminals policy (the lab's group's admins;
// pending ones and public labs' are superAdm's).
import type { z } from "zod";
import { and, desc, eq, inArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { TERMINAL_ONLINE_MS, type approveTerminalInput, type updateTerminalInput } from "@/common/terminals";
import { instances, labs, terminals, users, type TerminalRow } from "@/db/schema";
import { requireActor, type Actor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { terminalRowsFor } from "../policies/terminals";
import { releaseStudentAt } from "./kiosk";
import { desktopShownBy, loadTerminal, poolIdsOfLab } from "./load-terminal";

export interface TerminalView {
  id: string;
  name: string;
  mac: string;
  state: TerminalRow["state"];
  lab: { id: number; name: string } | null;
  seatInstanceId: string | null;
  keyboardLayout: string | null;
  online: boolean;
  lastContactAt: Date | null;
  lastIp: string | null;
  signedIn: { id: number; username: string } | null;
  desktop: { id: string; name: string; state: string } | null;
  createdAt: Date;
  approvedAt: Date | null;
}

export async function listTerminals(ctx: DomainContext): Promise<TerminalView[]> {
  const actor = requireActor(ctx);
  const scope = terminalRowsFor(actor, labs.groupId);
  if (scope === null) return [];
  const rows = await ctx.db
    .select({ t: terminals, labName: labs.name, username: users.username })
    .from(terminals)
    .leftJoin(labs, eq(labs.id, terminals.labId))
    .leftJoin(users, eq(users.id, terminals.signedInUserId))
    .where(scope)
    .orderBy(desc(terminals.createdAt));
  const now = Date.now();
  return Promise.all(
    rows.map(async ({ t, labName, username }) => {
      const desktop = await desktopShownBy(ctx.db, t);
      return {
        id: t.id,
        name: t.name,
        mac: t.mac,
        state: t.state,
        lab: t.labId !== null && labName !== null ? { id: t.labId, name: labName } : null,
        seatInstanceId: t.seatInstanceId,
        keyboardLayout: t.keyboardLayout,
        online: !!t.lastContactAt && now - t.lastContactAt.getTime() < TERMINAL_ONLINE_MS,
        lastContactAt: t.lastContactAt,
        lastIp: t.lastIp,
        signedIn: t.signedInUserId !== null && username !== null ? { id: t.signedInUserId, username } : null,
        desktop: desktop ? { id: desktop.id, name: desktop.name, state: desktop.state } : null,
        createdAt: t.createdAt,
        approvedAt: t.approvedAt,
      };
    }),
  );
}

/** The terminal, if the actor may manage it (its lab's group's admin; pending: superAdm). */
async function terminalFor(ctx: DomainContext, actor: Actor, id: string): Promise<TerminalRow> {
  const t = await loadTerminal(ctx.db, id);
  const [lab] = t.labId === null ? [] : await ctx.db.select().from(labs).where(eq(labs.id, t.labId));
  assertMayActOn(actor, "terminals", { labId: t.labId, labGroupId: lab?.groupId ?? null });
  return t;
}

/** A lab the actor may put terminals in (the same rule as the terminals themselves). */
async function labFor(ctx: DomainContext, actor: Actor, labId: number) {
  const [lab] = await ctx.db.select().from(labs).where(eq(labs.id, labId));
  if (!lab) throw notFound("lab");
  assertMayActOn(actor, "terminals", { labId: lab.id, labGroupId: lab.groupId });
  return lab;
}

/**
 * A seat must be a live desktop of one of the lab's pools (a terminal of lab A never shows lab B's) and
 * nobody's: whoever sits at a seat terminal sees and types into its desktop, so a student's desktop
 * must never become one (once seated, the hand-out passes it over: open-desktop.ts).
 */
async function assertSeatInLab(ctx: DomainContext, seatId: string, labId: number) {
  const poolIds = await poolIdsOfLab(ctx.db, labId);
  const [row] = poolIds.length
    ? await ctx.db
        .select({ id: instances.id, assignedTo: instances.assignedTo })
        .from(instances)
        .where(
          and(eq(instances.id, seatId), eq(instances.kind, "desktop"), inArray(instances.poolId, poolIds)),
        )
    : [];
  if (!row)
    throw new DomainError("INVALID", msg("terminals.seatNotInLab"), {
      seatInstanceId: msg("terminals.seatNotInLab"),
    });
  if (row.assignedTo !== null)
    throw new DomainError("INVALID", msg("terminals.seatHandedOut"), {
      seatInstanceId: msg("terminals.seatHandedOut"),
    });
}

export async function approveTerminal(ctx: DomainContext, input: z.output<typeof approveTerminalInput>) {
  const actor = requireActor(ctx);
  const t = await terminalFor(ctx, actor, input.id);
  if (t.state !== "pending")
    throw new DomainError("CONFLICT", msg("terminals.notPending", { state: t.state }));
  await labFor(ctx, actor, input.labId);
  if (input.seatInstanceId) await assertSeatInLab(ctx, input.seatInstanceId, input.labId);
  // Only a pending row is approved (a revoke or a delete meanwhile wins).
  const [res] = await ctx.db
    .update(terminals)
    .set({
      state: "approved",
      labId: input.labId,
      seatInstanceId: input.seatInstanceId,
      name: input.name ?? t.name,
      approvedBy: actor.id,
      approvedAt: new Date(),
    })
    .where(and(eq(terminals.id, t.id), eq(terminals.state, "pending")));
  if (res.affectedRows !== 1)
    throw new DomainError("CONFLICT", msg("terminals.notPending", { state: "changed" }));
  return { id: t.id };
}

export async function updateTerminal(ctx: DomainContext, input: z.output<typeof updateTerminalInput>) {
  const actor = requireActor(ctx);
  const t = await terminalFor(ctx, actor, input.id);
  if (t.state !== "approved" && (input.labId !== undefined || input.seatInstanceId))
    throw new DomainError("CONFLICT", msg("terminals.notApproved"));
  const labId = input.labId ?? t.labId;
  if (input.labId !== undefined && input.labId !== t.labId) await labFor(ctx, actor, input.labId);
  // Moving to another lab drops a seat of the old one unless a new seat is named.
  const seat =
    input.seatInstanceId !== undefined ? input.seatInstanceId : labId === t.labId ? t.seatInstanceId : null;
  if (seat && labId !== null) await assertSeatInLab(ctx, seat, labId);
  const movesStudent = t.signedInUserId !== null && (labId !== t.labId || seat !== null);
  await ctx.db
    .update(terminals)
    .set({
      name: input.name ?? t.name,
      labId,
      seatInstanceId: seat,
      keyboardLayout: input.keyboardLayout !== undefined ? input.keyboardLayout : t.keyboardLayout,
      ...(movesStudent ? { signedInUserId: null } : {}),
    })
    .where(eq(terminals.id, t.id));
  if (movesStudent) await releaseStudentAt(ctx, t, t.signedInUserId!);
  return { id: t.id };
}

/** The terminal gets nothing from now on: its signed requests, its kiosk and its tickets are refused. */
export async function revokeTerminal(ctx: DomainContext, id: string) {
  const actor = requireActor(ctx);
  const t = await terminalFor(ctx, actor, id);
  await ctx.db
    .update(terminals)
    .set({ state: "revoked", signedInUserId: null })
    .where(eq(terminals.id, t.id));
  if (t.signedInUserId !== null) await releaseStudentAt(ctx, t, t.signedInUserId);
  return { id: t.id };
}

export async function deleteTerminal(ctx: DomainContext, id: string) {
  const actor = requireActor(ctx);
  const t = await terminalFor(ctx, actor, id);
  await ctx.db.delete(terminals).where(eq(terminals.id, t.id));
  if (t.signedInUserId !== null) await releaseStudentAt(ctx, t, t.signedInUserId);
  return { id: t.id };
}
