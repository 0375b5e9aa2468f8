// Admin mode (F3): a teacher boots the profile's current version writable, changes it through the normal
// console, then publishes it as the next version (with a note) or discards it. It and the profile's
// desktops exclude each other under the profile's row lock (provisioning/profile-lock.ts): admin mode starts only
// while no desktop runs, and C's desktops check assertNotInAdminMode under the same lock.
import { randomUUID } from "node:crypto";
import { and, asc, eq, notInArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { instances, profilePublications, profiles, users, type ProfileRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { captureInstance } from "../captures/capture-instance";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import { createInstances } from "../provisioning/create-instances";
import { loadProfile } from "./load-profile";
import { currentVersionImageId, lockProfile } from "../provisioning/profile-lock";
import { openPublicationTaskId } from "./publications";
import { readProfile, type ProfileView } from "./read-profiles";
import { removeAdminInstance } from "./remove-admin-instance";

type Reader = Pick<Database, "select">;

/** Not running: a desktop in one of these states does not hold the profile's base open. */
const NOT_RUNNING = ["STOPPED", "DELETED", "ERROR", "DELETING"] as const;

export interface RunningDesktop {
  id: string;
  name: string;
  state: string;
  profileVersion: number | null;
  /** The student it is handed to (null: a spare desktop). */
  assignedTo: { id: number; username: string; displayName: string } | null;
}

async function runningDesktopsOf(db: Reader, profileId: number): Promise<RunningDesktop[]> {
  const rows = await db
    .select({
      id: instances.id,
      name: instances.name,
      state: instances.state,
      profileVersion: instances.profileVersion,
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
    })
    .from(instances)
    .leftJoin(users, eq(users.id, instances.assignedTo))
    .where(
      and(
        eq(instances.profileId, profileId),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, [...NOT_RUNNING]),
      ),
    )
    .orderBy(asc(instances.name));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    state: r.state,
    profileVersion: r.profileVersion,
    assignedTo:
      r.userId === null ? null : { id: r.userId, username: r.username!, displayName: r.displayName! },
  }));
}

/** The profile's running desktops: what must be shut down before admin mode can start. */
export async function listRunningDesktops(ctx: DomainContext, profileId: number): Promise<RunningDesktop[]> {
  await loadProfile(ctx.db, requireActor(ctx), profileId);
  return runningDesktopsOf(ctx.db, profileId);
}

/** An instance name from the profile's name (letters, digits, dot, dash; at most 64). */
function adminInstanceName(profile: ProfileRow): string {
  const base = profile.name.replace(/[^a-zA-Z0-9.-]+/g, "-").replace(/^[^a-zA-Z0-9]+/, "");
  return `${(base || "profile").slice(0, 52)}-admin-v${profile.currentVersion}`;
}

/**
 * Decided in one transaction under the profile's lock: refused while a desktop of it runs (listing them)
 * or admin mode runs; else the admin machine's id is written on the profile before it is placed, so a
 * desktop asking under the same lock from then on is refused. If placement fails the claim is undone.
 */
export async function startAdminMode(ctx: DomainContext, profileId: number): Promise<ProfileView> {
  const actor = requireActor(ctx);
  await loadProfile(ctx.db, actor, profileId);
  const instanceId = randomUUID();
  const claimed = await ctx.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, profileId);
    if (profile.adminInstanceId)
      throw new DomainError("CONFLICT", msg("profiles.adminModeRuns", { profile: profile.name }));
    const running = await runningDesktopsOf(tx, profileId);
    if (running.length) {
      const nobody = "—";
      throw new DomainError(
        "CONFLICT",
        msg("profiles.desktopsRunning", {
          profile: profile.name,
          count: running.length,
          desktops: running.map((d) => `${d.name} (${d.assignedTo?.username ?? nobody})`).join(", "),
        }),
        undefined,
        running.map((d) => ({
          subject: d.name,
          message: d.assignedTo
            ? msg("profiles.assignedTo", { user: d.assignedTo.displayName })
            : msg("profiles.unassigned"),
        })),
      );
    }
    await tx
      .update(profiles)
      .set({ adminInstanceId: instanceId, updatedAt: new Date() })
      .where(eq(profiles.id, profileId));
    return { profile, imageId: await currentVersionImageId(tx, profile) };
  });
  const { profile, imageId } = claimed;
  try {
    await createInstances(ctx, {
      imageId,
      flavorId: profile.flavorId,
      groupId: profile.groupId ?? undefined,
      nics: profile.networkId ? [{ networkId: profile.networkId }] : [],
      instances: [{ id: instanceId, name: adminInstanceName(profile) }],
      kind: "admin",
      profileId: profile.id,
      profileVersion: profile.currentVersion,
      // Admin mode keeps its writes: they are what gets published.
      throwaway: false,
      hardware: {
        firmware: profile.firmware,
        diskBus: profile.diskBus,
        nicModel: profile.nicModel,
        usbTablet: profile.usbTablet,
        keyboardLayout: profile.keyboardLayout,
      },
    });
  } catch (err) {
    await ctx.db
      .update(profiles)
      .set({ adminInstanceId: null })
      .where(and(eq(profiles.id, profileId), eq(profiles.adminInstanceId, instanceId)));
    throw err;
  }
  return readProfile(ctx, profileId);
}

/**
 * Captures the admin machine's disk (a task with live progress, returned at once); when the capture is
 * stored it becomes the profile's next version and admin mode ends (publications.ts).
 */
export async function publishAdminMode(
  ctx: DomainContext,
  input: { id: number; note: string },
): Promise<{ taskId: string }> {
  const actor = requireActor(ctx);
  const profile = await loadProfile(ctx.db, actor, input.id);
  if (!profile.adminInstanceId)
    throw new DomainError("CONFLICT", msg("profiles.notInAdminMode", { profile: profile.name }));
  if (await openPublicationTaskId(ctx.db, profile))
    throw new DomainError("CONFLICT", msg("profiles.publishing", { profile: profile.name }));
  const instanceId = profile.adminInstanceId;
  const [inst] = await ctx.db
    .select({ imageId: instances.imageId, state: instances.state })
    .from(instances)
    .where(eq(instances.id, instanceId));
  if (!inst || inst.state === "DELETED" || inst.state === "DELETING")
    throw new DomainError("CONFLICT", msg("profiles.adminInstanceGone", { profile: profile.name }));
  // The checks above again under the profile's lock as the publication is recorded: of two publishes
  // (or a publish and a discard) at once, one wins and the other's capture task ends before the agent.
  return captureInstance(ctx, { instanceId, name: profile.name }, (taskId) =>
    ctx.db.transaction(async (tx) => {
      const locked = await lockProfile(tx, profile.id);
      if (locked.adminInstanceId !== instanceId)
        throw new DomainError("CONFLICT", msg("profiles.notInAdminMode", { profile: profile.name }));
      if (await openPublicationTaskId(tx, locked))
        throw new DomainError("CONFLICT", msg("profiles.publishing", { profile: profile.name }));
      await tx.insert(profilePublications).values({
        taskId,
        profileId: profile.id,
        instanceId,
        baseImageId: inst.imageId,
        note: input.note,
        createdBy: actor.id,
      });
    }),
  );
}

/** Throws the change away: the admin machine is deleted and desktops may start again. */
export async function discardAdminMode(ctx: DomainContext, profileId: number): Promise<ProfileView> {
  const actor = requireActor(ctx);
  await loadProfile(ctx.db, actor, profileId);
  const instanceId = await ctx.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, profileId);
    if (!profile.adminInstanceId)
      throw new DomainError("CONFLICT", msg("profiles.notInAdminMode", { profile: profile.name }));
    if (await openPublicationTaskId(tx, profile))
      throw new DomainError("CONFLICT", msg("profiles.publishing", { profile: profile.name }));
    await tx
      .update(profiles)
      .set({ adminInstanceId: null, updatedAt: new Date() })
      .where(eq(profiles.id, profileId));
    return profile.adminInstanceId;
  });
  await removeAdminInstance(ctx, instanceId, actor.username);
  return readProfile(ctx, profileId);
}
