// Everyone's use at once, for the lists (a class, every user, every group): one grouped query per kind
// of object instead of measureUsage's handful per subject. Counted the same way as measureUsage.
import { and, inArray, isNotNull, isNull, ne, sql, type SQL } from "drizzle-orm";
import { emptyUsage, type QuotaUsage } from "@/common/quotas";
import { images, instances, ipAddresses, snapshots, volumes } from "@/db/schema";
import type { Database } from "@/server/db/client";

type Reader = Pick<Database, "select">;
const GiB = 1024 ** 3;
const num = (v: unknown) => Number(v ?? 0);

/** Use per owner ("owner") or per group ("group"); only the ids given, or everyone when omitted. */
export async function measureUsageOfAll(
  db: Reader,
  by: "owner" | "group",
  ids?: readonly number[],
): Promise<Map<number, QuotaUsage>> {
  const out = new Map<number, QuotaUsage>();
  if (ids && ids.length === 0) return out;
  const at = (k: unknown) => {
    const key = num(k);
    let u = out.get(key);
    if (!u) out.set(key, (u = emptyUsage()));
    return u;
  };
  const only = (col: Parameters<typeof inArray>[0]): SQL | undefined =>
    ids ? inArray(col, [...ids]) : isNotNull(col);

  const instKey = by === "owner" ? instances.ownerId : instances.groupId;
  for (const r of await db
    .select({
      k: instKey,
      n: sql<string>`count(*)`,
      vcpus: sql<string | null>`sum(${instances.vcpus})`,
      ram: sql<string | null>`sum(${instances.memoryMiB})`,
      disk: sql<string | null>`sum(${instances.diskGiB})`,
    })
    .from(instances)
    .where(and(ne(instances.state, "DELETED"), only(instKey)))
    .groupBy(instKey)) {
    const u = at(r.k);
    u.instances = num(r.n);
    u.vcpus = num(r.vcpus);
    u.ramMiB = num(r.ram);
    u.diskGiB += num(r.disk);
  }
  const volKey = by === "owner" ? volumes.ownerId : volumes.groupId;
  for (const r of await db
    .select({ k: volKey, gib: sql<string | null>`sum(${volumes.sizeGiB})` })
    .from(volumes)
    .where(and(ne(volumes.state, "deleted"), only(volKey)))
    .groupBy(volKey))
    at(r.k).diskGiB += num(r.gib);

  if (by === "owner") {
    for (const r of await db
      .select({ k: ipAddresses.ownerId, n: sql<string>`count(*)` })
      .from(ipAddresses)
      .where(only(ipAddresses.ownerId))
      .groupBy(ipAddresses.ownerId))
      at(r.k).ipAddresses = num(r.n);
  } else {
    for (const r of await db
      .select({ k: instances.groupId, n: sql<string>`count(*)` })
      .from(ipAddresses)
      .innerJoin(instances, sql`${instances.id} = ${ipAddresses.instanceId}`)
      .where(only(instances.groupId))
      .groupBy(instances.groupId))
      at(r.k).ipAddresses = num(r.n);
  }
  for (const r of await db
    .select({ k: instKey, n: sql<string>`count(*)` })
    .from(snapshots)
    .innerJoin(instances, sql`${instances.id} = ${snapshots.instanceId}`)
    .where(
      and(inArray(snapshots.state, ["creating", "ready", "reverting", "deleting", "error"]), only(instKey)),
    )
    .groupBy(instKey))
    at(r.k).snapshots = num(r.n);

  const imgKey = by === "owner" ? images.ownerId : images.groupId;
  for (const r of await db
    .select({ k: imgKey, n: sql<string>`count(*)`, bytes: sql<string | null>`sum(${images.sizeBytes})` })
    .from(images)
    .where(and(isNull(images.deletedAt), ne(images.visibility, "public"), only(imgKey)))
    .groupBy(imgKey)) {
    const u = at(r.k);
    u.images = num(r.n);
    u.imageGiB = Math.round((num(r.bytes) / GiB) * 100) / 100;
  }
  return out;
}
