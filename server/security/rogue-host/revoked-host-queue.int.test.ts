// Item 7, the queue half: a revoked host's Redis user is gone and its open connections are closed at
// once, so it can neither take jobs nor post events, not even on a connection it opened before.
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { hostEventsQueueName, hostRedisUsername } from "@/agents/protocol";
import { startController } from "@/server/queue/controller";
import { createQueueConnection } from "@/server/queue/redis";
import { callerFor, makeUser } from "@/server/testing/fixtures";
import { REDIS_URL, startRogueHostScene, type RogueHostScene } from "./testing/rogue-host-scene";

let scene: RogueHostScene;
beforeAll(async () => {
  scene = await startRogueHostScene();
});
afterAll(() => scene.close());

describe("rogue-host: revoked credentials on the queue", () => {
  it("stop working at once, on open connections and new ones", async () => {
    const { s, rogue, rogueRedis, hostChannel } = scene;
    // Working before: the host posts on its own queue.
    await rogueRedis.rpush(`${s.prefix}:bull:${hostEventsQueueName(rogue.hostId)}:probe`, "x");

    const closed = new Promise<void>((resolve) => rogueRedis.once("close", () => resolve()));
    await hostChannel.revoke(rogue.hostId);
    await closed; // the open connection was cut, not left to run with its old rights

    // Its reconnect, and any new connection with the same secret, is refused.
    const again = scene.connectAs(rogue);
    const errors: string[] = [];
    again.on("error", (err: Error) => errors.push(err.message));
    await expect(again.connect()).rejects.toThrow();
    again.disconnect();
    expect(errors.join("\n")).toMatch(/WRONGPASS/);

    const q = new Queue(hostEventsQueueName(rogue.hostId), {
      connection: {
        ...rogueRedis.options,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        lazyConnect: false,
      },
      prefix: `${s.prefix}:bull`,
      skipVersionCheck: true,
    });
    q.on("error", () => undefined);
    await expect(
      q.add("host.heartbeat", { type: "host.heartbeat", hostId: rogue.hostId, at: new Date() }),
    ).rejects.toThrow();
    await q.close().catch(() => undefined);
  });

  it("a grant the controller was making while the host was revoked does not bring the user back", async () => {
    const { s, victim, hostChannel } = scene;
    let started!: () => void;
    const syncing = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The controller reads the hosts, then is slow to write Redis's users: the revocation lands meanwhile.
    const slowChannel = {
      async sync(rows: { id: string; secretHash: string }[]) {
        started();
        await gate;
        await hostChannel.sync(rows);
      },
    };
    const connection = createQueueConnection(REDIS_URL);
    const controller = startController({
      db: s.db,
      jobs: scene.jobs,
      connection,
      prefix: s.prefix,
      log: pino({ level: "silent" }),
      hostChannel: slowChannel,
      refreshMs: 60_000,
    });
    try {
      await syncing;
      const admin = await makeUser(s, "superAdm");
      const revoking = callerFor(s, admin, undefined, { hostChannel }).hosts.revoke({ id: victim.hostId });
      await new Promise((r) => setTimeout(r, 300));
      release();
      await revoking;
      await new Promise((r) => setTimeout(r, 100));
      const user = hostRedisUsername(s.prefix, victim.hostId);
      expect(await s.redis.call("ACL", "GETUSER", user)).toBeNull();
    } finally {
      release();
      await controller.close();
      connection.disconnect();
    }
  });
});
