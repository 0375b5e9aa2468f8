import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { AGENT_EVENTS_QUEUE, agentEventSchema, type AgentEventInput } from "../protocol/index";

/** Events to the portal go through one BullMQ queue; each is validated before it leaves. */
export function createEventSender(connection: Redis, prefix: string) {
  const queue = new Queue(AGENT_EVENTS_QUEUE, { connection, prefix: `${prefix}:bull` });
  return {
    async send(ev: AgentEventInput): Promise<void> {
      const parsed = agentEventSchema.parse(ev);
      await queue.add(parsed.type, parsed, { removeOnComplete: true, removeOnFail: { count: 1000 } });
    },
    close: () => queue.close(),
  };
}
export type EventSender = ReturnType<typeof createEventSender>;
