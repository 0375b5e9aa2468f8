import { and, asc, count, eq, inArray, isNull, ne, or } from "drizzle-orm";
import type { z } from "zod";
import { flavors, instances, type FlavorRow } from "@/db/schema";
import { requireActor, type Actor, type DomainContext } from "../context";
import { administersGroup } from "../policies/owned";
import { isDuplicateKey, isForeignKeyViolation } from "../db-errors";
import { DomainError, notFound } from "../errors";
import { FLAVOR_LIMITS, type createFlavorInput, type updateFlavorInput } from "./schemas";
import { msg, type FieldMessages } from "@/common/message";

/**
 * The same bounds as the form's schema, here too: the domain is also called without the tRPC input
 * (scripts, other features), and a flavor is what every later placement trusts.
 */
function assertWithinLimits(size: { vcpus?: number; memoryMiB?: number; diskGiB?: number }): void {
  const fields: FieldMessages = {};
  for (const key of ["vcpus", "memoryMiB", "diskGiB"] as const) {
    const value = size[key];
    if (value === undefined) continue;
    const { min, max } = FLAVOR_LIMITS[key];
    if (!Number.isInteger(value) || value < min) fields[key] = msg("validation.minNumber", { min });
    else if (value > max) fields[key] = msg("validation.maxNumber", { max });
  }
  if (Object.keys(fields).length)
    throw new DomainError(
      "INVALID",
      msg("flavors.outOfBounds", {
        vcpusMax: FLAVOR_LIMITS.vcpus.max,
        memoryMaxMiB: FLAVOR_LIMITS.memoryMiB.max,
        diskMaxGiB: FLAVOR_LIMITS.diskGiB.max,
      }),
      fields,
    );
}

const taken = (name: string) =>
  new DomainError("CONFLICT", msg("flavors.nameTaken", { name }), { name: msg("field.nameTaken") });

/**
 * Public flavors are superAdm's; a group's own flavor is its admins' (a teacher sizes machines for their
 * class). The permission table admits powerAdm to flavors.create/update/delete; this is the rest.
 */
function assertMayManageFlavor(actor: Actor, groupId: number | null): void {
  if (groupId === null ? actor.role !== "superAdm" : !administersGroup(actor, groupId))
    throw new DomainError(
      "FORBIDDEN",
      groupId === null
        ? msg("classes.publicFlavorsAreSuperAdms")
        : msg("auth.notAdminOfGroupOf", { what: "group" }),
    );
}

/** Public flavors and the caller's groups' own (superAdm: all). */
export async function listFlavors(ctx: DomainContext): Promise<FlavorRow[]> {
  const actor = requireActor(ctx);
  const visible =
    actor.role === "superAdm"
      ? undefined
      : actor.groupIds.length
        ? or(isNull(flavors.groupId), inArray(flavors.groupId, actor.groupIds))
        : isNull(flavors.groupId);
  return ctx.db
    .select()
    .from(flavors)
    .where(visible)
    .orderBy(asc(flavors.vcpus), asc(flavors.memoryMiB), asc(flavors.name));
}

async function loadFlavorToManage(ctx: DomainContext, id: number): Promise<FlavorRow> {
  const actor = requireActor(ctx);
  const [row] = await ctx.db.select().from(flavors).where(eq(flavors.id, id));
  if (!row) throw notFound("flavor");
  assertMayManageFlavor(actor, row.groupId);
  return row;
}

export async function createFlavor(
  ctx: DomainContext,
  input: z.output<typeof createFlavorInput>,
): Promise<FlavorRow> {
  const actor = requireActor(ctx);
  assertMayManageFlavor(actor, input.groupId ?? null);
  assertWithinLimits(input);
  try {
    const [res] = await ctx.db.insert(flavors).values(input);
    return (await ctx.db.select().from(flavors).where(eq(flavors.id, res.insertId)))[0]!;
  } catch (err) {
    if (isDuplicateKey(err)) throw taken(input.name);
    throw err;
  }
}

/** Sizes of running instances were copied at creation, so editing a flavor changes only new ones. */
export async function updateFlavor(
  ctx: DomainContext,
  input: z.output<typeof updateFlavorInput>,
): Promise<FlavorRow> {
  const { id, ...patch } = input;
  await loadFlavorToManage(ctx, id);
  assertWithinLimits(patch);
  try {
    if (Object.keys(patch).length) await ctx.db.update(flavors).set(patch).where(eq(flavors.id, id));
  } catch (err) {
    if (isDuplicateKey(err)) throw taken(patch.name ?? "");
    throw err;
  }
  const row = (await ctx.db.select().from(flavors).where(eq(flavors.id, id)))[0];
  if (!row) throw notFound("flavor");
  return row;
}

export async function deleteFlavor(ctx: DomainContext, id: number): Promise<void> {
  await loadFlavorToManage(ctx, id);
  const [use] = await ctx.db
    .select({ n: count() })
    .from(instances)
    .where(and(eq(instances.flavorId, id), ne(instances.state, "DELETED")));
  if ((use?.n ?? 0) > 0) {
    throw new DomainError("CONFLICT", msg("flavors.inUse", { count: Number(use!.n) }));
  }
  try {
    const [res] = await ctx.db.delete(flavors).where(eq(flavors.id, id));
    if (res.affectedRows === 0) throw notFound("flavor");
  } catch (err) {
    // Deleted instances still name their flavor (history): keep the row, refuse clearly.
    if (isForeignKeyViolation(err)) throw new DomainError("CONFLICT", msg("flavors.inHistory"));
    throw err;
  }
}
