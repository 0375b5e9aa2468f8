// Labs (F1): rooms of seats owned by a group (its admins run them) or public (superAdm's), the profiles
// each may use (of its group, or public) and its weekly lessons.
import { and, eq, inArray, ne, notInArray, sql } from "drizzle-orm";
import type { z } from "zod";
import {
  minutesOf,
  timeOf,
  type createLabInput,
  type setLessonsInput,
  type updateLabInput,
} from "@/common/labs";
import { msg } from "@/common/message";
import { instances, labLessons, labProfiles, labs, pools, profiles, type LabRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type Actor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { assertMayOwnIn, loadLab } from "../profiles/load-profile";
import { readLab, type LabView } from "./read-labs";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Replaces the lab's profiles: each of the lab's group or public, and usable by the actor. */
async function setLabProfiles(tx: Tx, actor: Actor, lab: LabRow, profileIds: number[]): Promise<void> {
  const wanted = [...new Set(profileIds)];
  const rows = wanted.length ? await tx.select().from(profiles).where(inArray(profiles.id, wanted)) : [];
  for (const id of wanted) {
    const p = rows.find((r) => r.id === id);
    if (!p) throw notFound("profile");
    assertMayActOn(actor, "profiles", { groupId: p.groupId, use: true });
    if (p.groupId !== null && p.groupId !== lab.groupId)
      throw new DomainError("INVALID", msg("labs.profileOfOtherGroup", { profile: p.name }), {
        profileIds: msg("field.notYourGroup"),
      });
  }
  await tx
    .delete(labProfiles)
    .where(
      and(
        eq(labProfiles.labId, lab.id),
        wanted.length ? notInArray(labProfiles.profileId, wanted) : undefined,
      ),
    );
  if (wanted.length)
    await tx
      .insert(labProfiles)
      .ignore()
      .values(wanted.map((profileId) => ({ labId: lab.id, profileId })));
}

export async function createLab(
  ctx: DomainContext,
  input: z.output<typeof createLabInput>,
): Promise<LabView> {
  const actor = requireActor(ctx);
  assertMayOwnIn(actor, "labs", input.groupId);
  const id = await ctx.db.transaction(async (tx) => {
    const { profileIds, ...fields } = input;
    const [res] = await tx.insert(labs).values(fields);
    const [lab] = await tx.select().from(labs).where(eq(labs.id, res.insertId));
    await setLabProfiles(tx, actor, lab!, profileIds);
    return res.insertId;
  });
  return readLab(ctx, id);
}

export async function updateLab(
  ctx: DomainContext,
  input: z.output<typeof updateLabInput>,
): Promise<LabView> {
  const actor = requireActor(ctx);
  await loadLab(ctx.db, actor, input.id);
  const { id, profileIds, ...fields } = input;
  await ctx.db.transaction(async (tx) => {
    const lab = await loadLab(tx, actor, id, { lock: true });
    // A lab is N seats: not fewer than its pools hold (pools check the sum under the same row lock).
    if (fields.seats !== undefined) {
      const [row] = await tx
        .select({ n: sql<string>`coalesce(sum(${pools.size}), 0)` })
        .from(pools)
        .where(eq(pools.labId, id));
      const held = Number(row?.n ?? 0);
      if (fields.seats < held)
        throw new DomainError(
          "INVALID",
          msg("labs.seatsBelowPools", { lab: lab.name, seats: fields.seats, held }),
          {
            seats: msg("labs.seatsBelowPools", { lab: lab.name, seats: fields.seats, held }),
          },
        );
    }
    const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length)
      await tx
        .update(labs)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(labs.id, id));
    if (profileIds) await setLabProfiles(tx, actor, lab, profileIds);
  });
  return readLab(ctx, id);
}

/** Refused while a pool of it runs; stopped pools go with it (their desktops are gone). */
export async function deleteLab(ctx: DomainContext, id: number): Promise<{ id: number }> {
  const actor = requireActor(ctx);
  await loadLab(ctx.db, actor, id);
  await ctx.db.transaction(async (tx) => {
    const lab = await loadLab(tx, actor, id, { lock: true });
    const labPools = await tx
      .select({ id: pools.id, state: pools.state })
      .from(pools)
      .where(eq(pools.labId, id))
      .for("update");
    if (labPools.some((p) => p.state === "running"))
      throw new DomainError("CONFLICT", msg("labs.poolRuns", { lab: lab.name }));
    // A stopped pool whose desktops are still being torn down keeps the lab until they are gone.
    const [left] = labPools.length
      ? await tx
          .select({ id: instances.id })
          .from(instances)
          .where(
            and(
              inArray(
                instances.poolId,
                labPools.map((p) => p.id),
              ),
              ne(instances.state, "DELETED"),
            ),
          )
          .limit(1)
      : [];
    if (left) throw new DomainError("CONFLICT", msg("labs.hasPools", { lab: lab.name }));
    await tx.delete(pools).where(eq(pools.labId, id));
    await tx.delete(labs).where(eq(labs.id, id));
  });
  return { id };
}

/** Replaces the lab's weekly lessons; two lessons on one weekday may not overlap. */
export async function setLessons(
  ctx: DomainContext,
  input: z.output<typeof setLessonsInput>,
): Promise<LabView> {
  const actor = requireActor(ctx);
  await loadLab(ctx.db, actor, input.id);
  const lessons = input.lessons
    .map((l) => ({
      weekday: l.weekday,
      startMinute: minutesOf(l.start),
      endMinute: minutesOf(l.end),
      warmMinutes: l.warmMinutes,
    }))
    .sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
  for (let i = 1; i < lessons.length; i++) {
    const a = lessons[i - 1]!;
    const b = lessons[i]!;
    if (a.weekday === b.weekday && b.startMinute < a.endMinute)
      throw new DomainError(
        "INVALID",
        msg("labs.lessonsOverlap", {
          weekday: a.weekday,
          first: `${timeOf(a.startMinute)}–${timeOf(a.endMinute)}`,
          second: `${timeOf(b.startMinute)}–${timeOf(b.endMinute)}`,
        }),
        { lessons: msg("labs.lessonsOverlapField") },
      );
  }
  await ctx.db.transaction(async (tx) => {
    await loadLab(tx, actor, input.id, { lock: true });
    await tx.delete(labLessons).where(eq(labLessons.labId, input.id));
    if (lessons.length) await tx.insert(labLessons).values(lessons.map((l) => ({ ...l, labId: input.id })));
  });
  return readLab(ctx, input.id);
}
