// The one lock between admin mode and desktops of a profile: admin mode starts only while no desktop of
// the profile runs, and no desktop starts while admin mode runs. Both sides take the profile's row FOR
// UPDATE in the transaction that decides, so one of two racing requests sees the other's outcome.
import { and, eq } from "drizzle-orm";
import { msg } from "@/common/message";
import { profiles, profileVersions, type ProfileRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError, notFound } from "../errors";

type Tx = Pick<Database, "select">;

/** Locks the profile's row for the rest of the transaction and returns it. */
export async function lockProfile(tx: Tx, profileId: number): Promise<ProfileRow> {
  const [row] = await tx.select().from(profiles).where(eq(profiles.id, profileId)).for("update");
  if (!row) throw notFound("profile");
  return row;
}

/** Refuses (CONFLICT) while the profile is in admin mode: call under lockProfile. */
export function assertNotInAdminMode(profile: ProfileRow): void {
  if (profile.adminInstanceId)
    throw new DomainError("CONFLICT", msg("profiles.inAdminMode", { profile: profile.name }));
}

/** The image of the profile's current version: what a new or reset desktop starts from. */
export async function currentVersionImageId(tx: Tx, profile: ProfileRow): Promise<string> {
  const [v] = await tx
    .select({ imageId: profileVersions.imageId })
    .from(profileVersions)
    .where(
      and(eq(profileVersions.profileId, profile.id), eq(profileVersions.version, profile.currentVersion)),
    );
  if (!v) throw notFound("profile");
  return v.imageId;
}
