import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { networkStateEvent } from "@/agents/protocol";
import { networkHostStates, networks } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { EventRegistration } from "../events/dispatcher";
import { releaseInstanceAddresses } from "./ipam";
import { networksOnHost, pushNetworks } from "./network-specs";

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

export const registerNetworkEvents: EventRegistration = (r) => {
  r.on("network.state", (ctx, ev) => applyNetworkState(ctx.db, ev));
  // A restarted agent (or rebooted host) rebuilds bridges, DHCP and rules from the portal's state.
  r.on("host.heartbeat", async (ctx, ev) => {
    if (ev.startup) await pushNetworks(ctx, ev.hostId, await networksOnHost(ctx.db, ev.hostId), "startup");
  });
  // A deleted instance's addresses go back to the pool; its host drops their leases and forwards.
  r.onInstanceState("DELETED", async (ctx, { instance }) => {
    const changed = await releaseInstanceAddresses(ctx.db, [instance.id]);
    if (instance.hostId) await pushNetworks(ctx, instance.hostId, changed);
  });
};
