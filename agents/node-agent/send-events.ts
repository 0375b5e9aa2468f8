import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { agentEventSchema, hostEventsQueueName, type AgentEventInput } from "../protocol/index";

/**
 * Events to the portal go through this host's own BullMQ queue (the only one its Redis user may write);
 * each is validated before it leaves. While Redis is unreachable the connection holds commands until
 * it is back (maxRetriesPerRequest: null), so an event waits rather than being lost.
 */
export function createEventSender(connection: Redis, prefix: string, hostId: string) {
  const queue = new Queue(hostEventsQueueName(hostId), {
    connection,
    prefix: `${prefix}:bull`,
    // The version check reads INFO, which a host's Redis user may not run.
    skipVersionCheck: true,
  });
  return {
    async send(ev: AgentEventInput): Promise<void> {
      const parsed = agentEventSchema.parse(ev);
      await queue.add(parsed.type, parsed, { removeOnComplete: true, removeOnFail: { count: 1000 } });
    },
    close: () => queue.close(),
  };
}
export type EventSender = ReturnType<typeof createEventSender>;
