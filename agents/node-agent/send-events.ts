import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { agentEventSchema, hostEventsQueueName, type AgentEventInput } from "../protocol/index";

/**
 * Events to the portal go through this host's own BullMQ queue (the only one its Redis user may write);
 * each is validated before it leaves. While Redis is unreachable the connection holds commands until
 * it is back (maxRetriesPerRequest: null), so an event waits rather than being lost; a command that fails
 * anyway (a refused login while the portal re-creates this host's Redis user, a Redis restarting) is sent
 * again with backoff (250 ms doubling to 10 s) until it is accepted or the sender closes. `attempts` lets
 * the portal's controller take an event up again if the portal died while applying it.
 */
export function createEventSender(connection: Redis, prefix: string, hostId: string) {
  const queue = new Queue(hostEventsQueueName(hostId), {
    connection,
    prefix: `${prefix}:bull`,
    // The version check reads INFO, which a host's Redis user may not run.
    skipVersionCheck: true,
  });
  let closed = false;
  return {
    async send(ev: AgentEventInput): Promise<void> {
      const parsed = agentEventSchema.parse(ev); // invalid: thrown at once, never retried
      const opts = {
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      };
      for (let delay = 250; ; delay = Math.min(delay * 2, 10_000)) {
        try {
          await queue.add(parsed.type, parsed, opts);
          return;
        } catch (err) {
          if (closed) throw err;
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    close: () => {
      closed = true;
      return queue.close();
    },
  };
}
export type EventSender = ReturnType<typeof createEventSender>;
