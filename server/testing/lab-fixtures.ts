// Rows for profile and lab tests: a profile (version 1 on an image), a lab, and admin mode as rows (an
// admin instance named on the profile). Tests that need real VMs run a real agent.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { instances, labs, profiles, profileVersions } from "@/db/schema";
import { uniqueName, type TestServices } from "./fixtures";

export async function makeProfileRow(
  s: TestServices,
  o: { groupId: number | null; imageId: string; flavorId: number; ownerId?: number | null },
): Promise<number> {
  const [res] = await s.db.insert(profiles).values({
    name: uniqueName("prof"),
    groupId: o.groupId,
    ownerId: o.ownerId ?? null,
    flavorId: o.flavorId,
    consoleKinds: ["vnc"],
  });
  await s.db.insert(profileVersions).values({ profileId: res.insertId, version: 1, imageId: o.imageId });
  return res.insertId;
}

export async function makeLabRow(s: TestServices, groupId: number | null, seats = 10): Promise<number> {
  const [res] = await s.db.insert(labs).values({ name: uniqueName("lab"), groupId, seats });
  return res.insertId;
}

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
