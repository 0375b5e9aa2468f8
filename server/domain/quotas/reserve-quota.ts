// Quota checks that hold under concurrency: every request that takes quota locks its owners' and its
// group's quota locks (in one order) inside the transaction that creates the objects, counts what is held
// now and refuses what would pass the limit. Two requests for the last unit queue on the lock; the second
// counts the first's rows.
import { eq, inArray } from "drizzle-orm";
import { msg } from "@/common/message";
import { QUOTA_KEYS, type QuotaKey, type QuotaLimits, type QuotaUsage } from "@/common/quotas";
import { groups, namedLocks, users } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { DomainError } from "../errors";
import { measureUsage } from "./measure-usage";
import { readGroupLimits, readUserLimits } from "./read-limits";

type Tx = Pick<Database, "select">;

export interface QuotaRequest {
  /** What the request adds for each owner (a class batch adds one instance to each student). */
  owners: { ownerId: number; add: Partial<QuotaUsage> }[];
  /** The group the objects are managed in: its limits hold for the sum of all owners' additions. */
  groupId: number | null;
  /**
   * What the group gains beyond the owners' additions: an image moved from one group to another is new
   * to the group but not to its owner, who already holds it.
   */
  groupAdd?: Partial<QuotaUsage>;
  /**
   * Use not in the tables yet but already promised (uploads still being received): counted as held.
   * Only sound when the caller took the same locks before it listed what it counts (lockQuotas).
   */
  pending?: { owners?: ReadonlyMap<number, Partial<QuotaUsage>>; group?: Partial<QuotaUsage> };
  /** Who asks: a refusal says "your quota" to them and "the owner's quota" otherwise. */
  requestedBy: number;
}

/**
 * Quota locks are rows of named_locks made once by a migration, one per bucket: a user or group takes the
 * bucket of its id. Rows made on demand inside the transaction deadlock when many requests make the same
 * new row at once (InnoDB's insert-intention and duplicate-key locks); locking rows that always exist
 * takes plain record locks. Two subjects in one bucket only wait for each other, which is safe.
 */
export const QUOTA_LOCK_BUCKETS = 256;

export const quotaLockName = (subject: "user" | "group", id: number) =>
  `quota:${subject}:${id % QUOTA_LOCK_BUCKETS}`;

async function lockQuota(tx: Tx, name: string): Promise<void> {
  const [row] = await tx.select().from(namedLocks).where(eq(namedLocks.name, name)).for("update");
  // Without its row nothing would be locked and two requests could both pass the last unit.
  if (!row) throw new Error(`quota lock ${name} is missing: run the database migrations`);
}

/**
 * Takes the quota locks of these owners and group in the one order every path uses (by lock name, so a
 * user and a group sharing nothing never wait in a cycle). reserveQuota takes them itself; a caller takes
 * them first when it must read something (open uploads) under them before asking. Taking a lock again in
 * the same transaction is harmless.
 */
export async function lockQuotas(tx: Tx, ownerIds: readonly number[], groupId: number | null): Promise<void> {
  const names = new Set(ownerIds.map((id) => quotaLockName("user", id)));
  if (groupId !== null) names.add(quotaLockName("group", groupId));
  for (const name of [...names].sort()) await lockQuota(tx, name);
}

function plus(usage: QuotaUsage, more: Partial<QuotaUsage> | undefined): QuotaUsage {
  if (!more) return usage;
  const sum = { ...usage };
  // Hundredths, as measureUsage counts image GiB: a refusal must not say "1.0000000002 in use".
  for (const k of QUOTA_KEYS) sum[k] = Math.round((sum[k] + (more[k] ?? 0)) * 100) / 100;
  return sum;
}

function addsAnything(add: Partial<QuotaUsage>): boolean {
  return QUOTA_KEYS.some((k) => (add[k] ?? 0) > 0);
}

function firstExceeded(
  limits: QuotaLimits,
  usage: QuotaUsage,
  add: Partial<QuotaUsage>,
): { key: QuotaKey; limit: number; used: number; requested: number } | null {
  for (const key of QUOTA_KEYS) {
    const limit = limits[key];
    const requested = add[key] ?? 0;
    if (limit === null || limit === undefined || requested <= 0) continue;
    if (usage[key] + requested > limit) return { key, limit, used: usage[key], requested };
  }
  return null;
}

const hasLimitFor = (limits: QuotaLimits, add: Partial<QuotaUsage>) =>
  QUOTA_KEYS.some((k) => (add[k] ?? 0) > 0 && limits[k] !== null && limits[k] !== undefined);

/** Throws FORBIDDEN naming the quota, its limit and the use now when the request would pass a limit. */
export async function reserveQuota(tx: Tx, req: QuotaRequest): Promise<void> {
  await checkQuota(tx, req, true);
}

/**
 * The same check without taking the locks: an early refusal before long work (an upload's first byte,
 * a capture's copy). It decides nothing; reserveQuota in the transaction that creates the row does.
 */
export async function precheckQuota(db: Pick<Database, "select">, req: QuotaRequest): Promise<void> {
  await checkQuota(db as Tx, req, false);
}

async function checkQuota(tx: Tx, req: QuotaRequest, lock: boolean): Promise<void> {
  const perOwner = new Map<number, Partial<QuotaUsage>>();
  for (const o of req.owners) {
    const sum = perOwner.get(o.ownerId) ?? {};
    for (const k of QUOTA_KEYS) if (o.add[k]) sum[k] = (sum[k] ?? 0) + o.add[k];
    perOwner.set(o.ownerId, sum);
  }
  const total: Partial<QuotaUsage> = {};
  for (const add of [...perOwner.values(), ...(req.groupId !== null && req.groupAdd ? [req.groupAdd] : [])])
    for (const k of QUOTA_KEYS) if (add[k]) total[k] = (total[k] ?? 0) + add[k];
  if (!addsAnything(total)) return;

  const ownerIds = [...perOwner.keys()].sort((a, b) => a - b);
  if (lock) await lockQuotas(tx, ownerIds, req.groupId);

  const accounts = ownerIds.length
    ? await tx
        .select({ id: users.id, role: users.role, username: users.username })
        .from(users)
        .where(inArray(users.id, ownerIds))
    : [];
  for (const id of ownerIds) {
    const account = accounts.find((a) => a.id === id);
    if (!account) continue;
    const add = perOwner.get(id)!;
    const { limits } = await readUserLimits(tx, account);
    if (!hasLimitFor(limits, add)) continue;
    const usage = plus(await measureUsage(tx, { ownerId: id }), req.pending?.owners?.get(id));
    const over = firstExceeded(limits, usage, add);
    if (over)
      throw new DomainError(
        "FORBIDDEN",
        msg("quotas.exceeded", {
          scope: id === req.requestedBy ? "self" : "owner",
          owner: account.username,
          group: "",
          quota: over.key,
          limit: over.limit,
          used: over.used,
          requested: over.requested,
        }),
      );
  }
  if (req.groupId !== null) {
    const limits = (await readGroupLimits(tx, [req.groupId])).get(req.groupId) ?? {};
    if (!hasLimitFor(limits, total)) return;
    const usage = plus(await measureUsage(tx, { groupId: req.groupId }), req.pending?.group);
    const over = firstExceeded(limits, usage, total);
    if (over) {
      const [g] = await tx
        .select({ name: groups.name })
        .from(groups)
        .where(inArray(groups.id, [req.groupId]));
      throw new DomainError(
        "FORBIDDEN",
        msg("quotas.exceeded", {
          scope: "group",
          owner: "",
          group: g?.name ?? String(req.groupId),
          quota: over.key,
          limit: over.limit,
          used: over.used,
          requested: over.requested,
        }),
      );
    }
  }
}
