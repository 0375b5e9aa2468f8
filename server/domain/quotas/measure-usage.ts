// What an owner or a group holds now, counted from the rows themselves (no counters to drift).
import { and, eq, inArray, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import { emptyUsage, type QuotaUsage } from "@/common/quotas";
import { images, instances, ipAddresses, snapshots, volumes } from "@/db/schema";
import type { Database } from "@/server/db/client";

type Reader = Pick<Database, "select">;
const GiB = 1024 ** 3;

/** Whose use: an owner (their objects in every group) or a group (its objects, whoever owns them). */
export type UsageSubject = { ownerId: number } | { groupId: number };

const num = (v: unknown) => Number(v ?? 0);

export async function measureUsage(db: Reader, subject: UsageSubject): Promise<QuotaUsage> {
  const byOwner = "ownerId" in subject;
  // A pool's desktop counts against the lab's group only: not its owner (whoever started the pool) nor
  // the student it is handed to (docs/labs.md).
  const ownersOnly = ne(instances.kind, "desktop");
  const instWhere: SQL = and(
    ne(instances.state, "DELETED"),
    byOwner
      ? and(eq(instances.ownerId, subject.ownerId), ownersOnly)
      : eq(instances.groupId, subject.groupId),
  )!;
  const [inst] = await db
    .select({
      n: sql<string>`count(*)`,
      vcpus: sql<string | null>`sum(${instances.vcpus})`,
      ram: sql<string | null>`sum(${instances.memoryMiB})`,
      disk: sql<string | null>`sum(${instances.diskGiB})`,
    })
    .from(instances)
    .where(instWhere);
  const [vol] = await db
    .select({ gib: sql<string | null>`sum(${volumes.sizeGiB})` })
    .from(volumes)
    .where(
      and(
        ne(volumes.state, "deleted"),
        byOwner ? eq(volumes.ownerId, subject.ownerId) : eq(volumes.groupId, subject.groupId),
      ),
    );
  // Addresses of instance NICs count for the instance's owner and group; addresses a user allocated
  // without an instance count for that user.
  const [ips] = byOwner
    ? await db
        .select({ n: sql<string>`count(*)` })
        .from(ipAddresses)
        .leftJoin(instances, eq(instances.id, ipAddresses.instanceId))
        .where(
          and(
            eq(ipAddresses.ownerId, subject.ownerId),
            or(isNull(instances.kind), ne(instances.kind, "desktop")),
          ),
        )
    : await db
        .select({ n: sql<string>`count(*)` })
        .from(ipAddresses)
        .innerJoin(instances, eq(instances.id, ipAddresses.instanceId))
        .where(eq(instances.groupId, subject.groupId));
  const [snaps] = await db
    .select({ n: sql<string>`count(*)` })
    .from(snapshots)
    .innerJoin(instances, eq(instances.id, snapshots.instanceId))
    .where(
      and(
        inArray(snapshots.state, ["creating", "ready", "reverting", "deleting", "error"]),
        byOwner ? eq(instances.ownerId, subject.ownerId) : eq(instances.groupId, subject.groupId),
      ),
    );
  // Images count where someone owns them: public catalogue images an administrator published do not.
  const [img] = await db
    .select({ n: sql<string>`count(*)`, bytes: sql<string | null>`sum(${images.sizeBytes})` })
    .from(images)
    .where(
      and(
        isNull(images.deletedAt),
        ne(images.visibility, "public"),
        byOwner ? eq(images.ownerId, subject.ownerId) : eq(images.groupId, subject.groupId),
      ),
    );
  const usage = emptyUsage();
  usage.instances = num(inst?.n);
  usage.vcpus = num(inst?.vcpus);
  usage.ramMiB = num(inst?.ram);
  usage.diskGiB = num(inst?.disk) + num(vol?.gib);
  usage.ipAddresses = num(ips?.n);
  usage.snapshots = num(snaps?.n);
  usage.images = num(img?.n);
  // Fractional: a 300 MiB upload must not count as a whole GiB.
  usage.imageGiB = Math.round((num(img?.bytes) / GiB) * 100) / 100;
  return usage;
}
