import { instanceEvents, type InstanceState } from "@/db/schema";
import type { Message } from "@/common/message";
import type { Database } from "@/server/db/client";
import { renderEnglish } from "../render-english";

type Tx = Pick<Database, "insert">;

export async function recordInstanceEvent(
  db: Tx,
  e: {
    instanceId: string;
    kind: "action" | "state" | "progress" | "error" | "info";
    message: Message;
    fromState?: InstanceState;
    toState?: InstanceState;
    actorId?: number | null;
  },
): Promise<void> {
  await db.insert(instanceEvents).values({
    instanceId: e.instanceId,
    kind: e.kind,
    message: renderEnglish(e.message).slice(0, 2000),
    code: e.message.code,
    params: e.message.params,
    fromState: e.fromState ?? null,
    toState: e.toState ?? null,
    actorId: e.actorId ?? null,
  });
}
