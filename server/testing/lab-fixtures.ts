// Rows for profile, lab, pool and desktop tests, inserted directly: a profile (version 1 on an image), a
// lab, admin mode as rows (an admin instance named on the profile), pools and lessons. Tests that need
// real VMs run a real agent.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { instances, labLessons, labProfiles, labs, pools, profiles, profileVersions } from "@/db/schema";
import { makeFlavor, makeGroup, makeImageRow, makeUser, uniqueName, type TestServices } from "./fixtures";

/** A machine of the profile as rows: a desktop (or the admin instance) in the given state on hostId. */
export async function makeProfileMachine(
  s: TestServices,
  o: {
    profileId: number;
    kind: "desktop" | "admin";
    ownerId: number;
    groupId: number | null;
    hostId: string;
    flavorId: number;
    imageId: string;
    state?: "RUNNING" | "STOPPED" | "PENDING" | "DELETED";
    assignedTo?: number | null;
  },
): Promise<string> {
  const id = randomUUID();
  await s.db.insert(instances).values({
    id,
    name: uniqueName(o.kind),
    ownerId: o.ownerId,
    groupId: o.groupId,
    flavorId: o.flavorId,
    imageId: o.imageId,
    vcpus: 1,
    memoryMiB: 256,
    diskGiB: 1,
    hostId: o.hostId,
    state: o.state ?? "RUNNING",
    kind: o.kind,
    profileId: o.profileId,
    profileVersion: 1,
    throwaway: o.kind === "desktop",
    assignedTo: o.assignedTo ?? null,
  });
  if (o.kind === "admin")
    await s.db.update(profiles).set({ adminInstanceId: id }).where(eq(profiles.id, o.profileId));
  return id;
}

export async function makeProfile(
  s: TestServices,
  o: { groupId: number | null; flavorId?: number; imageId?: string; throwaway?: boolean },
): Promise<{ profileId: number; imageId: string; flavorId: number }> {
  const flavorId = o.flavorId ?? (await makeFlavor(s));
  const imageId = o.imageId ?? (await makeImageRow(s));
  const [res] = await s.db.insert(profiles).values({
    name: uniqueName("prof"),
    groupId: o.groupId,
    flavorId,
    consoleKinds: ["vnc"],
    throwaway: o.throwaway ?? true,
  });
  await s.db.insert(profileVersions).values({ profileId: res.insertId, version: 1, imageId });
  return { profileId: res.insertId, imageId, flavorId };
}

export async function makeLab(
  s: TestServices,
  o: { groupId: number | null; seats?: number; profileIds?: number[] },
): Promise<number> {
  const [res] = await s.db
    .insert(labs)
    .values({ name: uniqueName("lab"), groupId: o.groupId, seats: o.seats ?? 40 });
  for (const profileId of o.profileIds ?? [])
    await s.db.insert(labProfiles).values({ labId: res.insertId, profileId });
  return res.insertId;
}

export async function makePool(
  s: TestServices,
  o: {
    labId: number;
    profileId: number;
    size: number;
    spare: number;
    idleSize?: number;
    running?: boolean;
    createdBy?: number | null;
  },
): Promise<number> {
  const [res] = await s.db.insert(pools).values({
    labId: o.labId,
    profileId: o.profileId,
    size: o.size,
    spare: o.spare,
    idleSize: o.idleSize ?? 0,
    state: o.running === false ? "stopped" : "running",
    createdBy: o.createdBy ?? null,
  });
  return res.insertId;
}

export async function makeLesson(
  s: TestServices,
  o: { labId: number; weekday: number; startMinute: number; endMinute: number; warmMinutes?: number },
): Promise<void> {
  await s.db.insert(labLessons).values({ ...o, warmMinutes: o.warmMinutes ?? 10 });
}

/** A class with its teacher, students, a lab of `seats` using one profile, and a pool for it. */
export async function makeClassLab(
  s: TestServices,
  o: { students?: number; seats?: number; size?: number; spare?: number; running?: boolean } = {},
) {
  const groupId = await makeGroup(s);
  const teacher = await makeUser(s, "powerAdm", [groupId]);
  const students = [];
  for (let i = 0; i < (o.students ?? 2); i++) students.push(await makeUser(s, "user", [groupId]));
  const profile = await makeProfile(s, { groupId });
  const labId = await makeLab(s, { groupId, seats: o.seats ?? 40, profileIds: [profile.profileId] });
  const poolId = await makePool(s, {
    labId,
    profileId: profile.profileId,
    size: o.size ?? 4,
    spare: o.spare ?? 2,
    running: o.running,
    createdBy: teacher.id,
  });
  return { groupId, teacher, students, labId, poolId, ...profile };
}
