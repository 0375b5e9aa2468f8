// "One machine per student": a teacher makes one machine for each chosen member of a class they
// administer, from one image and flavor, placed as one batch (all fit within hosts and quotas, or none is
// made), each owned by its student and managed in the class. The batch id ties them together, so
// "Remove these machines" takes exactly that deployment away again.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import type { z } from "zod";
import { msg } from "@/common/message";
import { deployedName, type deployClassInput, type undeployClassInput } from "@/common/classes";
import { instances, memberships, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError } from "../errors";
import type { InstanceView } from "../instances/find-instances";
import { requestInstanceAction } from "../instances/act-on-instance";
import { createInstances } from "../provisioning/create-instances";
import { loadClass } from "./load-class";

export async function deployClass(
  ctx: DomainContext,
  input: z.output<typeof deployClassInput>,
): Promise<{ batchId: string; instances: InstanceView[] }> {
  const actor = requireActor(ctx);
  await loadClass(ctx.db, actor, input.id);
  const members = await ctx.db
    .select({ id: users.id, username: users.username, role: users.role, disabled: users.disabled })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    // Students only, and only those let in: a pending sign-up or a fellow teacher gets no machine
    // (nor has their quota spent) by a deployment.
    .where(
      and(
        eq(memberships.groupId, input.id),
        eq(users.pendingApproval, false),
        inArray(users.role, ["user", "powerUser"]),
      ),
    );
  let targets: typeof members;
  if (input.userIds) {
    const wanted = [...new Set(input.userIds)];
    const outside = wanted.filter((id) => !members.some((m) => m.id === id));
    if (outside.length)
      throw new DomainError("INVALID", msg("classes.notMembers", { count: outside.length }), {
        userIds: msg("classes.fieldNotMembers"),
      });
    targets = members.filter((m) => wanted.includes(m.id));
  } else {
    // "Every student": the class's accounts with role user that can sign in.
    targets = members.filter((m) => m.role === "user" && !m.disabled);
  }
  if (targets.length === 0) throw new DomainError("INVALID", msg("classes.noStudents"));
  const batchId = randomUUID();
  const created = await createInstances(ctx, {
    imageId: input.imageId,
    flavorId: input.flavorId,
    groupId: input.id,
    nics: input.networkId ? [{ networkId: input.networkId }] : [],
    instances: targets.map((m) => ({ name: deployedName(input.namePrefix, m.username), ownerId: m.id })),
    batchId,
  });
  return { batchId, instances: created };
}

/**
 * Asks every live machine of the deployment to be deleted. One that is already on its way out (or that
 * another request holds) is counted as skipped rather than failing the rest.
 */
export async function undeployClass(
  ctx: DomainContext,
  input: z.output<typeof undeployClassInput>,
): Promise<{ id: number; requested: number; skipped: number }> {
  const actor = requireActor(ctx);
  await loadClass(ctx.db, actor, input.id);
  const rows = await ctx.db
    .select({ id: instances.id })
    .from(instances)
    .where(
      and(
        eq(instances.batchId, input.batchId),
        eq(instances.groupId, input.id),
        ne(instances.state, "DELETED"),
      ),
    );
  if (rows.length === 0) throw new DomainError("NOT_FOUND", msg("classes.noSuchDeployment"));
  let requested = 0;
  let skipped = 0;
  for (const r of rows) {
    try {
      await requestInstanceAction(ctx, r.id, "delete");
      requested++;
    } catch (err) {
      if (err instanceof DomainError && err.kind === "CONFLICT") skipped++;
      else throw err;
    }
  }
  return { id: input.id, requested, skipped };
}
