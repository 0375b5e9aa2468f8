// The host's side of a heartbeat: when it was last heard from and what it is (facts change rarely and
// come every few beats). Instances reconcile against the same beat in their own area.
import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { heartbeatEvent, HostFacts } from "@/agents/protocol";
import { hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { EventRegistration } from "../events/dispatcher";
import { implausibleFacts } from "./facts-bounds";

export async function recordHeartbeat(db: Database, ev: z.output<typeof heartbeatEvent>): Promise<void> {
  const patch: Partial<typeof hosts.$inferInsert> = {
    // A host clock running ahead must not make it look alive for longer than it is.
    lastHeartbeatAt: ev.at > new Date() ? new Date() : ev.at,
  };
  const refused = ev.facts ? implausibleFacts(ev.facts) : null;
  if (refused) {
    // The row keeps its last good facts; the admin sees what was refused on the Hosts page. Local mode
    // is kept even from refused facts: it only takes work away from the host, so no lie gains by it.
    Object.assign(patch, { factsRefused: refused, factsRefusedAt: new Date() });
    if (ev.facts?.localMode)
      patch.facts = sql`JSON_SET(${hosts.facts}, '$.localMode', true)` as unknown as HostFacts;
  } else if (ev.facts) {
    Object.assign(patch, {
      facts: ev.facts,
      cpuCount: ev.facts.cpuCount,
      memoryMiB: ev.facts.memoryMiB,
      diskFreeBytes: ev.facts.diskFreeBytes,
      kvmUsable: ev.facts.kvmUsable,
    });
  }
  await db.update(hosts).set(patch).where(eq(hosts.id, ev.hostId)); // a removed host's beat changes nothing
}

export const registerHostEvents: EventRegistration = (r) => {
  r.on("host.heartbeat", (ctx, ev) => recordHeartbeat(ctx.db, ev));
};
