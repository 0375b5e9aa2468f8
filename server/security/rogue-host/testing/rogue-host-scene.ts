// Two hosts joined the real way (one-time token → credentials → their own Redis users), the portal's
// controller consuming their event queues, and the rogue host's own Redis connection: everything a
// compromised host holds, and nothing more.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import {
  hostEventsQueueName,
  hostRedisUsername,
  redisAddressOnly,
  type AgentEventInput,
} from "@/agents/protocol";
import { issueJoinToken, joinHost } from "@/server/domain/hosts/join-host";
import { startController } from "@/server/queue/controller";
import { createHostChannel } from "@/server/queue/host-channel";
import { createHostJobPort } from "@/server/queue/host-jobs";
import { createQueueConnection } from "@/server/queue/redis";
import { hostFacts, openTestServices, testSettings, uniqueName } from "@/server/testing/fixtures";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export async function startRogueHostScene() {
  const s = openTestServices();
  const hostChannel = createHostChannel(s.redis, s.prefix, REDIS_URL);
  const portalQueues = createQueueConnection(REDIS_URL);
  const jobs = createHostJobPort(portalQueues, s.prefix);
  const settings = testSettings();
  const join = async (prefix: string) => {
    const { token } = await issueJoinToken(s.db, 600);
    return joinHost(
      { db: s.db, settings, hostChannel },
      { token, name: uniqueName(prefix), facts: hostFacts(), consoleUrl: "ws://127.0.0.1:7901" },
    );
  };
  const rogue = await join("rogue");
  const victim = await join("victim");
  const controller = startController({
    db: s.db,
    jobs,
    connection: portalQueues,
    prefix: s.prefix,
    log: pino({ level: "silent" }),
    refreshMs: 200,
    // As in the portal: each host's events are consumed over a connection confined to its queues.
    hostChannel,
  });
  await controller.refresh();

  /** A Redis connection with exactly what a host holds: its user name and its secret. */
  const connectAs = (host: { hostId: string; hostSecret: string }) =>
    new Redis(redisAddressOnly(REDIS_URL), {
      username: hostRedisUsername(s.prefix, host.hostId),
      password: host.hostSecret,
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
  const rogueRedis = connectAs(rogue);
  await rogueRedis.connect();
  const rogueEvents = new Queue(hostEventsQueueName(rogue.hostId), {
    connection: rogueRedis,
    prefix: `${s.prefix}:bull`,
    skipVersionCheck: true,
  });
  // The portal's view of the same queue, to see when the controller has dealt with an event.
  const portalView = new Queue(hostEventsQueueName(rogue.hostId), {
    connection: portalQueues,
    prefix: `${s.prefix}:bull`,
  });

  /** Posts an event on the rogue host's own queue and waits until the controller has finished with it. */
  async function sendAsRogue(ev: AgentEventInput): Promise<string> {
    const job = await rogueEvents.add(ev.type, ev);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const state = await portalView.getJobState(job.id!);
      if (state === "completed" || state === "failed" || state === "unknown") return state;
      if (Date.now() > deadline) throw new Error(`the controller did not take event ${job.id} (${state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return {
    s,
    settings,
    jobs,
    hostChannel,
    controller,
    rogue,
    victim,
    rogueRedis,
    connectAs,
    sendAsRogue,
    async close() {
      await controller.close();
      await rogueEvents.close().catch(() => undefined);
      await portalView.close();
      await jobs.close();
      rogueRedis.disconnect();
      portalQueues.disconnect();
      await s.close();
    },
  };
}
export type RogueHostScene = Awaited<ReturnType<typeof startRogueHostScene>>;
