// What the profile pages show: a profile with its group, flavor, network, versions (image, note,
// author), the labs it may be used in, whether admin mode runs and how many desktops it has.
import { and, asc, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/mysql-core";
import {
  flavors,
  groups,
  images,
  instances,
  labProfiles,
  labs,
  networks,
  profiles,
  profileVersions,
  users,
  type ProfileRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext } from "../context";
import { profileRowsFor } from "../policies/labs";
import { loadProfile } from "./load-profile";
import { openPublicationTaskId } from "./publications";

type Reader = Pick<Database, "select">;

export interface ProfileVersionView {
  version: number;
  imageId: string;
  imageName: string;
  imageVersion: number;
  note: string;
  createdBy: { id: number; username: string; displayName: string } | null;
  createdAt: Date;
}

export interface ProfileSummary {
  id: number;
  name: string;
  description: string;
  /** null: public. */
  group: { id: number; name: string } | null;
  flavor: { id: number; name: string; vcpus: number; memoryMiB: number; diskGiB: number };
  network: { id: string; name: string } | null;
  consoleKinds: ("vnc" | "serial")[];
  keyboardLayout: ProfileRow["keyboardLayout"];
  throwaway: boolean;
  firmware: ProfileRow["firmware"];
  diskBus: ProfileRow["diskBus"];
  nicModel: ProfileRow["nicModel"];
  usbTablet: boolean;
  currentVersion: number;
  /** The image new desktops start from. */
  currentImage: { id: string; name: string; version: number };
  /** The admin-mode machine while someone edits the profile. */
  adminInstanceId: string | null;
  clonedFromId: number | null;
  /** Desktops of the profile not deleted (running or not). */
  desktopCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProfileView extends ProfileSummary {
  /** Newest first. */
  versions: ProfileVersionView[];
  labs: { id: number; name: string; groupId: number | null }[];
  /** The publication under way (its capture task) while admin mode is being published. */
  publishingTaskId: string | null;
}

async function summarize(db: Reader, rows: ProfileRow[]): Promise<ProfileSummary[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const groupIds = [...new Set(rows.flatMap((r) => (r.groupId === null ? [] : [r.groupId])))];
  const groupRows = groupIds.length
    ? await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.id, groupIds))
    : [];
  const flavorRows = await db
    .select()
    .from(flavors)
    .where(inArray(flavors.id, [...new Set(rows.map((r) => r.flavorId))]));
  const netIds = [...new Set(rows.flatMap((r) => (r.networkId ? [r.networkId] : [])))];
  const netRows = netIds.length
    ? await db
        .select({ id: networks.id, name: networks.name })
        .from(networks)
        .where(inArray(networks.id, netIds))
    : [];
  const current = await db
    .select({
      profileId: profileVersions.profileId,
      id: images.id,
      name: images.name,
      version: images.version,
    })
    .from(profileVersions)
    .innerJoin(profiles, eq(profiles.id, profileVersions.profileId))
    .innerJoin(images, eq(images.id, profileVersions.imageId))
    .where(
      and(inArray(profileVersions.profileId, ids), eq(profileVersions.version, profiles.currentVersion)),
    );
  const desktops = await db
    .select({ profileId: instances.profileId, n: sql<number>`count(*)` })
    .from(instances)
    .where(
      and(
        inArray(instances.profileId, ids),
        eq(instances.kind, "desktop"),
        notInArray(instances.state, ["DELETED"]),
      ),
    )
    .groupBy(instances.profileId);
  return rows.map((r) => {
    const f = flavorRows.find((x) => x.id === r.flavorId)!;
    const img = current.find((c) => c.profileId === r.id);
    const g = groupRows.find((x) => x.id === r.groupId);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      group: r.groupId === null ? null : { id: r.groupId, name: g?.name ?? String(r.groupId) },
      flavor: { id: f.id, name: f.name, vcpus: f.vcpus, memoryMiB: f.memoryMiB, diskGiB: f.diskGiB },
      network: netRows.find((n) => n.id === r.networkId) ?? null,
      consoleKinds: r.consoleKinds,
      keyboardLayout: r.keyboardLayout,
      throwaway: r.throwaway,
      firmware: r.firmware,
      diskBus: r.diskBus,
      nicModel: r.nicModel,
      usbTablet: r.usbTablet,
      currentVersion: r.currentVersion,
      currentImage: img
        ? { id: img.id, name: img.name, version: img.version }
        : { id: "", name: "", version: 0 },
      adminInstanceId: r.adminInstanceId,
      clonedFromId: r.clonedFromId,
      desktopCount: Number(desktops.find((d) => d.profileId === r.id)?.n ?? 0),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

/** The caller's groups' profiles and the public ones (superAdm: all), by name. */
export async function listProfiles(ctx: DomainContext): Promise<ProfileSummary[]> {
  const actor = requireActor(ctx);
  const where = profileRowsFor(actor, { groupId: profiles.groupId });
  if (where === null) return [];
  const rows = await ctx.db.select().from(profiles).where(where).orderBy(asc(profiles.name));
  return summarize(ctx.db, rows);
}

export async function readProfile(ctx: DomainContext, id: number): Promise<ProfileView> {
  const actor = requireActor(ctx);
  const row = await loadProfile(ctx.db, actor, id, { use: true });
  const [summary] = await summarize(ctx.db, [row]);
  const author = alias(users, "author");
  const versions = await ctx.db
    .select({
      version: profileVersions.version,
      imageId: profileVersions.imageId,
      imageName: images.name,
      imageVersion: images.version,
      note: profileVersions.note,
      createdAt: profileVersions.createdAt,
      authorId: author.id,
      authorUsername: author.username,
      authorDisplayName: author.displayName,
    })
    .from(profileVersions)
    .innerJoin(images, eq(images.id, profileVersions.imageId))
    .leftJoin(author, eq(author.id, profileVersions.createdBy))
    .where(eq(profileVersions.profileId, id))
    .orderBy(desc(profileVersions.version));
  const labRows = await ctx.db
    .select({ id: labs.id, name: labs.name, groupId: labs.groupId })
    .from(labProfiles)
    .innerJoin(labs, eq(labs.id, labProfiles.labId))
    .where(eq(labProfiles.profileId, id))
    .orderBy(asc(labs.name));
  return {
    ...summary!,
    versions: versions.map((v) => ({
      version: v.version,
      imageId: v.imageId,
      imageName: v.imageName,
      imageVersion: v.imageVersion,
      note: v.note,
      createdAt: v.createdAt,
      createdBy:
        v.authorId === null
          ? null
          : { id: v.authorId, username: v.authorUsername!, displayName: v.authorDisplayName! },
    })),
    labs: labRows,
    publishingTaskId: await openPublicationTaskId(ctx.db, row),
  };
}
