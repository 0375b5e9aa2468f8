// The rows bench:api lists (rows only: no VM runs): users, one class with its teacher (a powerAdm who
// administers it) and students, hosts, images, flavors, and the instances, written with multi-row
// INSERTs. The class's instances are spread over the whole time range, so the teacher's pages are not
// simply the newest rows.
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { flavors, groups, hosts, images, instances, memberships, users } from "@/db/schema";
import type { InstanceState } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { hostFacts } from "@/server/testing/fixtures";

export interface SeedOptions {
  instances: number;
  users: number;
  /** How many instances belong to the teacher's class. */
  classInstances: number;
  classSize: number;
}

export interface Seeded {
  superAdmId: number;
  powerAdmId: number;
  groupId: number;
  /** The instances each caller may list (none is DELETED). */
  visible: { superAdm: number; powerAdm: number };
}

const STATES: InstanceState[] = ["RUNNING", "RUNNING", "RUNNING", "STOPPED", "STOPPED", "ERROR", "PENDING"];
const CHUNK = 1000;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export async function seedApiRows(db: Database, opts: SeedOptions): Promise<Seeded> {
  if (opts.users < opts.classSize + 2) throw new Error("--users must leave room for the class");
  const every = Math.floor(opts.instances / opts.classInstances);
  if (every < 1) throw new Error("more class instances than instances");

  // ---- users: one superAdm, one powerAdm (the teacher), the rest students --------------------------------
  // No password can sign in: the bench hands each caller its credential directly.
  const passwordHash = "!bench";
  const userRows = Array.from({ length: opts.users }, (_, i) => {
    const role = i === 0 ? ("superAdm" as const) : i === 1 ? ("powerAdm" as const) : ("user" as const);
    const username =
      i === 0 ? "bench-admin" : i === 1 ? "bench-teacher" : `student${String(i).padStart(4, "0")}`;
    return { username, displayName: username, passwordHash, role };
  });
  await insertChunked(userRows, (c) => db.insert(users).values(c));
  const ids = (await db.select({ id: users.id }).from(users).orderBy(users.id)).map((r) => r.id);
  const [superAdmId, powerAdmId, ...studentIds] = ids as [number, number, ...number[]];

  const [group] = await db.insert(groups).values({ name: "bench-class" });
  const groupId = group.insertId;
  const classIds = studentIds.slice(0, opts.classSize);
  await db
    .insert(memberships)
    .values([
      { userId: powerAdmId, groupId, isAdmin: true },
      ...classIds.map((userId) => ({ userId, groupId, isAdmin: false })),
    ]);

  // ---- what instances refer to ---------------------------------------------------------------------------
  const hostIds = Array.from({ length: 10 }, () => randomUUID());
  await db.insert(hosts).values(
    hostIds.map((id, i) => ({
      id,
      name: `bench-host-${i}`,
      secretHash: "0".repeat(64),
      cpuCount: 64,
      memoryMiB: 262_144,
      facts: hostFacts({ cpuCount: 64, memoryMiB: 262_144 }),
      lastHeartbeatAt: new Date(),
    })),
  );
  const imageIds = ["debian-12", "ubuntu-24.04", "windows-11"].map((name) => ({ id: randomUUID(), name }));
  await db.insert(images).values(
    imageIds.map(({ id, name }) => ({
      id,
      name,
      sha256: randomBytes(32).toString("hex"),
      format: "qcow2" as const,
      sizeBytes: 1_000_000_000,
      virtualSizeBytes: 20 * 1024 ** 3,
      visibility: "public" as const,
    })),
  );
  const flavorSpecs = [
    { name: "small", vcpus: 1, memoryMiB: 1024, diskGiB: 10 },
    { name: "medium", vcpus: 2, memoryMiB: 4096, diskGiB: 20 },
    { name: "large", vcpus: 4, memoryMiB: 8192, diskGiB: 40 },
  ];
  await db.insert(flavors).values(flavorSpecs);
  const flavorRows = await db.select().from(flavors);

  // ---- the instances: one a second over the last few hours, every 10th sharing its neighbour's time ------
  // (equal times are what the id in the keyset is for).
  const start = Date.now() - opts.instances * 1000;
  const rows = Array.from({ length: opts.instances }, (_, i) => {
    const inClass = i % every === 0 && i / every < opts.classInstances;
    const flavor = flavorRows[i % flavorRows.length]!;
    const state = STATES[i % STATES.length]!;
    const placed = state === "RUNNING" || state === "STOPPED";
    const at = new Date(start + (i % 10 === 9 ? i - 1 : i) * 1000);
    return {
      id: randomUUID(),
      name: `vm-${String(i).padStart(5, "0")}`,
      ownerId: inClass ? classIds[i % classIds.length]! : studentIds[i % studentIds.length]!,
      groupId: inClass ? groupId : null,
      flavorId: flavor.id,
      imageId: imageIds[i % imageIds.length]!.id,
      vcpus: flavor.vcpus,
      memoryMiB: flavor.memoryMiB,
      diskGiB: flavor.diskGiB,
      hostId: placed ? hostIds[i % hostIds.length]! : null,
      state,
      accel: placed ? ("kvm" as const) : null,
      errorReason: state === "ERROR" ? "Not enough memory on any host" : null,
      createdAt: at,
      updatedAt: at,
    };
  });
  await insertChunked(rows, (c) => db.insert(instances).values(c));
  await db.execute(sql`ANALYZE TABLE instances, users, memberships, hosts, images, flavors`);
  const classCount = rows.filter((r) => r.groupId === groupId).length;
  return {
    superAdmId,
    powerAdmId,
    groupId,
    visible: { superAdm: rows.length, powerAdm: classCount },
  };
}
