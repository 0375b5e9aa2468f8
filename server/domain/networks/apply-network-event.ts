import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { networkStateEvent } from "@/agents/protocol";
import { networkHostStates, networks } from "@/db/schema";
import type { Database } from "@/server/db/client";

/** Records what a host reports of a network: the revision it applied, or why it could not. */
export async function applyNetworkState(db: Database, ev: z.output<typeof networkStateEvent>): Promise<void> {
  if (ev.state === "removed") {
    await db
      .delete(networkHostStates)
      .where(and(eq(networkHostStates.networkId, ev.networkId), eq(networkHostStates.hostId, ev.hostId)));
    return;
  }
  const [n] = await db.select({ id: networks.id }).from(networks).where(eq(networks.id, ev.networkId));
  if (!n) return; // deleted meanwhile; its network.remove follows
  const row = {
    state: ev.state,
    revision: ev.revision ?? null,
    reason: ev.state === "error" ? (ev.reason ?? "The host gave no reason.") : null,
    updatedAt: new Date(),
  };
  await db
    .insert(networkHostStates)
    .values({ networkId: ev.networkId, hostId: ev.hostId, ...row })
    .onDuplicateKeyUpdate({ set: row });
}
