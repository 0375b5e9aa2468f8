// Admin mode published: the capture of the admin machine (captures/) is stored as the next version of the
// profile's image family, then — in the transaction that ends the capture task — becomes profile version
// N+1 (note, author) and current, and admin mode ends. After that the new base is pushed to the hosts
// that hold the old one and the admin machine is deleted.
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import {
  hostImages,
  hosts,
  images,
  profilePublications,
  profiles,
  profileVersions,
  tasks,
  users,
  type ImageRow,
  type ProfilePublicationRow,
  type ProfileRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { CapturePublisher } from "../captures/receive-capture";
import type { DomainContext } from "../context";
import { pushImageToHosts } from "../images/sync-images";
import { lockProfile } from "../provisioning/profile-lock";
import { removeAdminInstance } from "./remove-admin-instance";

type Reader = Pick<Database, "select">;
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** The capture task of the profile's publication under way, or null. */
export async function openPublicationTaskId(db: Reader, profile: ProfileRow): Promise<string | null> {
  const [row] = await db
    .select({ taskId: profilePublications.taskId })
    .from(profilePublications)
    .innerJoin(tasks, eq(tasks.id, profilePublications.taskId))
    .where(
      and(
        eq(profilePublications.profileId, profile.id),
        isNull(profilePublications.version),
        inArray(tasks.state, ["queued", "running"]),
      ),
    )
    .limit(1);
  return row?.taskId ?? null;
}

export async function findPublication(db: Reader, taskId: string): Promise<ProfilePublicationRow | null> {
  const [row] = await db.select().from(profilePublications).where(eq(profilePublications.taskId, taskId));
  return row ?? null;
}

/**
 * How the captured disk is stored, seen by the profile's group: the next version of the base's family
 * when that family is the profile's own (a public profile's public family; a class's family of its
 * group), else the first version of a new family of the group's — a teacher must not add versions to
 * IT's public images (an upload may not either), nor to another class's.
 */
export async function publicationImageOptions(
  db: Reader,
  pub: ProfilePublicationRow,
): Promise<{ newVersionOf?: string; visibility: "public" | "group"; groupId: number | null }> {
  const [p] = await db
    .select({ groupId: profiles.groupId })
    .from(profiles)
    .where(eq(profiles.id, pub.profileId));
  const groupId = p?.groupId ?? null;
  const [base] = await db
    .select({ visibility: images.visibility, groupId: images.groupId })
    .from(images)
    .where(eq(images.id, pub.baseImageId));
  const ownFamily =
    !!base &&
    (groupId === null
      ? base.visibility === "public"
      : base.visibility !== "public" && base.groupId === groupId);
  return {
    ...(ownFamily ? { newVersionOf: pub.baseImageId } : {}),
    visibility: groupId === null ? "public" : "group",
    groupId,
  };
}

/** In the transaction that ends the capture task: version N+1, current, admin mode over. */
export async function recordPublication(
  tx: Tx,
  pub: ProfilePublicationRow,
  image: ImageRow,
): Promise<{ version: number; profile: string }> {
  const profile = await lockProfile(tx, pub.profileId);
  const [last] = await tx
    .select({ version: profileVersions.version })
    .from(profileVersions)
    .where(eq(profileVersions.profileId, profile.id))
    .orderBy(desc(profileVersions.version))
    .limit(1);
  const version = (last?.version ?? 0) + 1;
  await tx.insert(profileVersions).values({
    profileId: profile.id,
    version,
    imageId: image.id,
    note: pub.note,
    createdBy: pub.createdBy,
  });
  await tx
    .update(profiles)
    .set({
      currentVersion: version,
      // Only the machine this publication captured: a new admin mode started since stays.
      ...(profile.adminInstanceId === pub.instanceId ? { adminInstanceId: null } : {}),
      updatedAt: new Date(),
    })
    .where(eq(profiles.id, profile.id));
  await tx.update(profilePublications).set({ version }).where(eq(profilePublications.taskId, pub.taskId));
  return { version, profile: profile.name };
}

/**
 * After the commit: hosts that cache the old base fetch the new one ahead of the next desktop start, and
 * the admin machine goes. Failures here leave the published version in place (it is what counts).
 */
export async function finishPublication(
  ctx: Pick<DomainContext, "db" | "jobs">,
  pub: ProfilePublicationRow,
  image: ImageRow,
): Promise<void> {
  const [base] = await ctx.db.select().from(images).where(eq(images.id, pub.baseImageId));
  const holders = base
    ? await ctx.db
        .select({ id: hosts.id, name: hosts.name })
        .from(hostImages)
        .innerJoin(hosts, eq(hosts.id, hostImages.hostId))
        .where(
          and(eq(hostImages.sha256, base.sha256), eq(hostImages.state, "cached"), isNull(hosts.revokedAt)),
        )
    : [];
  if (holders.length)
    await pushImageToHosts(
      ctx,
      image,
      holders.map((h) => h.id),
      new Map(holders.map((h) => [h.id, h.name])),
      pub.createdBy,
    ).catch(() => undefined);
  const [author] = pub.createdBy
    ? await ctx.db.select({ username: users.username }).from(users).where(eq(users.id, pub.createdBy))
    : [];
  await removeAdminInstance(ctx, pub.instanceId, author?.username ?? "—");
}

/** Tells the portal's end of a capture which captures are publications (passed in by the transport). */
export const profilePublisher: CapturePublisher = {
  async find(db, taskId) {
    const pub = await findPublication(db, taskId);
    if (!pub) return null;
    return {
      label: `profile ${pub.profileId}`,
      imageOptions: (reader) => publicationImageOptions(reader, pub),
      record: (tx, image) => recordPublication(tx, pub, image),
      finish: (ctx, image) => finishPublication(ctx, pub, image),
    };
  },
};
