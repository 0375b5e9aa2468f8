import { z } from "zod";

/**
 * What a quota can limit. Disk is instance disks plus data volumes; images count the caller's own
 * (private or group) images and their stored GiB. Every limit is optional: null means "no limit here".
 */
export const QUOTA_KEYS = [
  "instances",
  "vcpus",
  "ramMiB",
  "diskGiB",
  "ipAddresses",
  "snapshots",
  "images",
  "imageGiB",
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** One set of limits; a missing or null key does not limit. */
export type QuotaLimits = Partial<Record<QuotaKey, number | null>>;
/** What an owner or a group uses now, every key counted. */
export type QuotaUsage = Record<QuotaKey, number>;

/** Whose limits a row holds: the default for a role, one user's override, or one group's. */
export const QUOTA_SUBJECTS = ["role", "user", "group"] as const;
export type QuotaSubject = (typeof QUOTA_SUBJECTS)[number];

const limit = z.number().int().min(0, "At least 0.").max(10_000_000, "Too large.").nullable();
export const quotaLimitsSchema = z.object(
  Object.fromEntries(QUOTA_KEYS.map((k) => [k, limit.optional()])) as Record<
    QuotaKey,
    z.ZodOptional<typeof limit>
  >,
);

/** The tighter of two limits (null: no limit). */
export function tighterLimit(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return Math.min(a, b);
}

export const emptyUsage = (): QuotaUsage => Object.fromEntries(QUOTA_KEYS.map((k) => [k, 0])) as QuotaUsage;

// ---- inputs of the quotas procedures (client-safe: the admin page's forms check the same) ----

const roleName = z.enum(["user", "powerUser", "powerAdm", "superAdm"]);
const id = z.number().int().positive();

/** Replaces the whole set: a key left out or null is "no limit" afterwards. */
export const setRoleDefaultsInput = z.object({ role: roleName, limits: quotaLimitsSchema });
export const setGroupLimitsInput = z.object({ groupId: id, limits: quotaLimitsSchema });
export const setUserLimitsInput = z.object({ userId: id, limits: quotaLimitsSchema });
export const groupUsageInput = z.object({ groupId: id });

/** How a limit reads to a person: RAM in GiB, the rest as counted. */
export const QUOTA_UNITS: Record<QuotaKey, "count" | "GiB" | "MiB"> = {
  instances: "count",
  vcpus: "count",
  ramMiB: "MiB",
  diskGiB: "GiB",
  ipAddresses: "count",
  snapshots: "count",
  images: "count",
  imageGiB: "GiB",
};

/** The share of a limit in use, 0–1 (null: no limit; a limit of 0 with nothing used is empty). */
export function shareUsed(used: number, limit: number | null | undefined): number | null {
  if (limit === null || limit === undefined) return null;
  if (limit === 0) return used > 0 ? 1 : 0;
  return Math.min(1, used / limit);
}
