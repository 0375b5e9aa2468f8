// Creating and changing desktop profiles: the owner group is one the caller administers (public:
// superAdm), the image and flavor come from that group's catalogue (the launch rule), the labs it may be
// used in are of its group. Version 1 points at the chosen image; later versions come from admin mode.
import { and, count, eq, inArray, notInArray } from "drizzle-orm";
import type { z } from "zod";
import type {
  cloneProfileInput,
  createProfileInput,
  setCurrentVersionInput,
  updateProfileInput,
} from "@/common/profiles";
import { msg } from "@/common/message";
import {
  flavors,
  instances,
  labProfiles,
  labs,
  pools,
  profiles,
  profileVersions,
  type ProfileRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type Actor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertLaunchAllowed } from "../groups/catalogue";
import { findVisibleImage } from "../images/find-images";
import { assertMayActOn } from "../policies/authorize";
import { assertMayOwnIn, loadProfile } from "./load-profile";
import { lockProfile, currentVersionImageId } from "../provisioning/profile-lock";
import { readProfile, type ProfileView } from "./read-profiles";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** The flavor and network a profile of this group may use (the group's catalogue, as for a launch). */
async function assertSettingsAllowed(
  ctx: DomainContext,
  actor: Actor,
  groupId: number | null,
  what: { imageId: string; flavorId: number; networkId: string | null },
): Promise<void> {
  const image = await findVisibleImage(ctx, what.imageId);
  const [flavor] = await ctx.db.select().from(flavors).where(eq(flavors.id, what.flavorId));
  if (!flavor) throw notFound("flavor");
  // The launch rule: a group's catalogue (superAdm launches anything they can see).
  await assertLaunchAllowed(ctx.db, actor, groupId, {
    image,
    flavor,
    networkIds: what.networkId ? [what.networkId] : [],
  });
}

/** Replaces the labs a profile may be used in: labs the actor manages, of the profile's group. */
async function setProfileLabs(tx: Tx, actor: Actor, profile: ProfileRow, labIds: number[]): Promise<void> {
  const wanted = [...new Set(labIds)];
  const rows = wanted.length ? await tx.select().from(labs).where(inArray(labs.id, wanted)) : [];
  for (const id of wanted) {
    const lab = rows.find((l) => l.id === id);
    if (!lab) throw notFound("lab");
    assertMayActOn(actor, "labs", { groupId: lab.groupId });
    if (profile.groupId !== null && lab.groupId !== profile.groupId)
      throw new DomainError("INVALID", msg("profiles.labOfOtherGroup", { lab: lab.name }), {
        labIds: msg("field.notYourGroup"),
      });
  }
  await tx
    .delete(labProfiles)
    .where(
      and(
        eq(labProfiles.profileId, profile.id),
        wanted.length ? notInArray(labProfiles.labId, wanted) : undefined,
      ),
    );
  if (wanted.length)
    await tx
      .insert(labProfiles)
      .ignore()
      .values(wanted.map((labId) => ({ labId, profileId: profile.id })));
}

export async function createProfile(
  ctx: DomainContext,
  input: z.output<typeof createProfileInput>,
): Promise<ProfileView> {
  const actor = requireActor(ctx);
  assertMayOwnIn(actor, "profiles", input.groupId);
  await assertSettingsAllowed(ctx, actor, input.groupId, input);
  const id = await ctx.db.transaction(async (tx) => {
    const { labIds, imageId, ...settings } = input;
    const [res] = await tx.insert(profiles).values({ ...settings, ownerId: actor.id, currentVersion: 1 });
    await tx
      .insert(profileVersions)
      .values({ profileId: res.insertId, version: 1, imageId, note: "", createdBy: actor.id });
    const [row] = await tx.select().from(profiles).where(eq(profiles.id, res.insertId));
    await setProfileLabs(tx, actor, row!, labIds);
    return res.insertId;
  });
  return readProfile(ctx, id);
}

export async function updateProfile(
  ctx: DomainContext,
  input: z.output<typeof updateProfileInput>,
): Promise<ProfileView> {
  const actor = requireActor(ctx);
  const { id, labIds, ...settings } = input;
  const before = await loadProfile(ctx.db, actor, id);
  if (settings.flavorId !== undefined || settings.networkId !== undefined) {
    const imageId = await currentVersionImageId(ctx.db, before);
    await assertSettingsAllowed(ctx, actor, before.groupId, {
      imageId,
      flavorId: settings.flavorId ?? before.flavorId,
      networkId: settings.networkId === undefined ? before.networkId : settings.networkId,
    });
  }
  await ctx.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, id);
    const changes = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length)
      await tx
        .update(profiles)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(profiles.id, id));
    if (labIds) await setProfileLabs(tx, actor, profile, labIds);
  });
  return readProfile(ctx, id);
}

/** Refused while a pool uses it, or desktops or admin mode of it exist (they name its versions). */
export async function deleteProfile(ctx: DomainContext, id: number): Promise<{ id: number }> {
  const actor = requireActor(ctx);
  await loadProfile(ctx.db, actor, id);
  await ctx.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, id);
    const [pool] = await tx
      .select({ lab: labs.name })
      .from(pools)
      .innerJoin(labs, eq(labs.id, pools.labId))
      .where(eq(pools.profileId, id))
      .limit(1);
    if (pool)
      throw new DomainError("CONFLICT", msg("profiles.usedByPool", { profile: profile.name, lab: pool.lab }));
    const [machines] = await tx
      .select({ n: count() })
      .from(instances)
      .where(and(eq(instances.profileId, id), notInArray(instances.state, ["DELETED"])));
    if (machines!.n > 0 || profile.adminInstanceId)
      throw new DomainError(
        "CONFLICT",
        msg("profiles.hasDesktops", { profile: profile.name, count: machines!.n }),
      );
    await tx.delete(profiles).where(eq(profiles.id, id));
  });
  return { id };
}

/** New desktops (and resets) start from this version; running ones keep theirs. */
export async function setCurrentVersion(
  ctx: DomainContext,
  input: z.output<typeof setCurrentVersionInput>,
): Promise<ProfileView> {
  const actor = requireActor(ctx);
  await loadProfile(ctx.db, actor, input.id);
  await ctx.db.transaction(async (tx) => {
    const profile = await lockProfile(tx, input.id);
    const [v] = await tx
      .select({ version: profileVersions.version })
      .from(profileVersions)
      .where(and(eq(profileVersions.profileId, input.id), eq(profileVersions.version, input.version)));
    if (!v)
      throw new DomainError(
        "NOT_FOUND",
        msg("profiles.noSuchVersion", { profile: profile.name, version: input.version }),
      );
    await tx
      .update(profiles)
      .set({ currentVersion: input.version, updatedAt: new Date() })
      .where(eq(profiles.id, input.id));
  });
  return readProfile(ctx, input.id);
}

/**
 * A new profile with the source's settings whose version 1 is the source's current image — the same
 * image id, so hosts keep one base for both until either publishes a change. Labs are not copied.
 */
export async function cloneProfile(
  ctx: DomainContext,
  input: z.output<typeof cloneProfileInput>,
): Promise<ProfileView> {
  const actor = requireActor(ctx);
  const source = await loadProfile(ctx.db, actor, input.id, { use: true });
  assertMayOwnIn(actor, "profiles", input.groupId);
  const imageId = await currentVersionImageId(ctx.db, source);
  if (input.groupId !== source.groupId)
    await assertSettingsAllowed(ctx, actor, input.groupId, {
      imageId,
      flavorId: source.flavorId,
      networkId: source.networkId,
    });
  const id = await ctx.db.transaction(async (tx) => {
    const [res] = await tx.insert(profiles).values({
      name: input.name,
      description: source.description,
      groupId: input.groupId,
      ownerId: actor.id,
      flavorId: source.flavorId,
      networkId: source.networkId,
      consoleKinds: source.consoleKinds,
      keyboardLayout: source.keyboardLayout,
      throwaway: source.throwaway,
      firmware: source.firmware,
      diskBus: source.diskBus,
      nicModel: source.nicModel,
      usbTablet: source.usbTablet,
      currentVersion: 1,
      clonedFromId: source.id,
    });
    await tx.insert(profileVersions).values({
      profileId: res.insertId,
      version: 1,
      imageId,
      note: "",
      createdBy: actor.id,
    });
    return res.insertId;
  });
  return readProfile(ctx, id);
}
