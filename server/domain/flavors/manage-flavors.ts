import { and, asc, count, eq, ne } from "drizzle-orm";
import type { z } from "zod";
import { flavors, instances, type FlavorRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey, isForeignKeyViolation } from "../db-errors";
import { DomainError, notFound } from "../errors";
import type { createFlavorInput, updateFlavorInput } from "./schemas";
import { msg } from "@/common/message";

const taken = (name: string) =>
  new DomainError("CONFLICT", msg("flavors.nameTaken", { name }), { name: msg("field.nameTaken") });

export async function listFlavors(ctx: DomainContext): Promise<FlavorRow[]> {
  requireActor(ctx);
  return ctx.db.select().from(flavors).orderBy(asc(flavors.vcpus), asc(flavors.memoryMiB), asc(flavors.name));
}

export async function createFlavor(
  ctx: DomainContext,
  input: z.output<typeof createFlavorInput>,
): Promise<FlavorRow> {
  requireActor(ctx);
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
  requireActor(ctx);
  const { id, ...patch } = input;
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
  requireActor(ctx);
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
