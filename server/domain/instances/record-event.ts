import { instanceEvents, type InstanceState } from "@/db/schema";
import type { Database } from "@/server/db/client";

type Tx = Pick<Database, "insert">;

export async function recordInstanceEvent(
  db: Tx,
  e: {
    instanceId: string;
    kind: "action" | "state" | "progress" | "error" | "info";
    message: string;
    fromState?: InstanceState;
    toState?: InstanceState;
    actorId?: number | null;
  },
): Promise<void> {
  await db.insert(instanceEvents).values({
    instanceId: e.instanceId,
    kind: e.kind,
    message: e.message.slice(0, 2000),
    fromState: e.fromState ?? null,
    toState: e.toState ?? null,
    actorId: e.actorId ?? null,
  });
}
