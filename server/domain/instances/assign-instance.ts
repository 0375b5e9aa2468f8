// A teacher hands a machine to another member of its group (a student gets the machine prepared for
// them). The machine, its addresses and its snapshots then count against the new owner's quota, so the
// quota is reserved for them in the same transaction that moves the owner (under the quota lock:
// two hand-overs to one student cannot both pass their last unit).
import { and, count, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { msg } from "@/common/message";
import type { assignInstanceInput } from "@/common/classes";
import { instances, ipAddresses, memberships, snapshots, users } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { reserveQuota } from "../quotas/reserve-quota";
import { getInstance, type InstanceView } from "./find-instances";
import { recordInstanceEvent } from "./record-event";

export async function assignInstance(
  ctx: DomainContext,
  input: z.output<typeof assignInstanceInput>,
): Promise<InstanceView> {
  const actor = requireActor(ctx);
  // Read committed: the counts below must not fix a snapshot older than the quota lock, or two
  // hand-overs to one student would each count without the other's.
  await ctx.db.transaction(
    async (tx) => {
      const [row] = await tx.select().from(instances).where(eq(instances.id, input.id)).for("update");
      if (!row || row.state === "DELETED") throw notFound("instance");
      assertMayActOn(actor, "instances", row);
      if (row.ownerId === input.ownerId) return;
      if (row.groupId === null)
        throw new DomainError("INVALID", msg("classes.assignNeedsGroup"), {
          ownerId: msg("classes.fieldNotAMember"),
        });
      // Handing out is a teacher's act on the class: owning the machine is not enough (a member who is not
      // the class's admin must not spend a student's quota).
      assertMayActOn(actor, "classes", { id: row.groupId });
      const [member] = await tx
        .select({ username: users.username })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.groupId, row.groupId),
            eq(memberships.userId, input.ownerId),
            eq(users.pendingApproval, false),
          ),
        );
      if (!member)
        throw new DomainError("INVALID", msg("classes.assignToMember"), {
          ownerId: msg("classes.fieldNotAMember"),
        });
      const [ips] = await tx
        .select({ n: count() })
        .from(ipAddresses)
        .where(eq(ipAddresses.instanceId, row.id));
      const [snaps] = await tx
        .select({ n: count() })
        .from(snapshots)
        .where(
          and(
            eq(snapshots.instanceId, row.id),
            inArray(snapshots.state, ["creating", "ready", "reverting", "deleting", "error"]),
          ),
        );
      // Within the group nothing changes (same machine, same group): only the new owner's limits.
      await reserveQuota(tx, {
        owners: [
          {
            ownerId: input.ownerId,
            add: {
              instances: 1,
              vcpus: row.vcpus,
              ramMiB: row.memoryMiB,
              diskGiB: row.diskGiB,
              ipAddresses: Number(ips?.n ?? 0),
              snapshots: Number(snaps?.n ?? 0),
            },
          },
        ],
        groupId: null,
        requestedBy: actor.id,
      });
      await tx
        .update(instances)
        .set({ ownerId: input.ownerId, updatedAt: new Date() })
        .where(eq(instances.id, row.id));
      await tx.update(ipAddresses).set({ ownerId: input.ownerId }).where(eq(ipAddresses.instanceId, row.id));
      await recordInstanceEvent(tx, {
        instanceId: row.id,
        kind: "action",
        message: msg("classes.assignedEvent", { user: actor.username, owner: member.username }),
        actorId: actor.id,
      });
    },
    { isolationLevel: "read committed" },
  );
  return getInstance(ctx, input.id);
}
