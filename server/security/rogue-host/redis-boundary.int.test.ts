// Item 1 of the host threat model: a host's Redis credentials open its own two queues and nothing else.
// Every attempt below is made with exactly what a compromised host holds (its user name and secret).
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostQueueName } from "@/agents/protocol";
import { issueJoinToken, joinHost } from "@/server/domain/hosts/join-host";
import { hostFacts, testSettings, uniqueName } from "@/server/testing/fixtures";
import { REDIS_URL, startRogueHostScene, type RogueHostScene } from "./testing/rogue-host-scene";

let scene: RogueHostScene;
const NOPERM = /NOPERM/;

beforeAll(async () => {
  scene = await startRogueHostScene();
});
afterAll(() => scene.close());

describe("rogue-host: Redis", () => {
  it("cannot read or take another host's jobs", async () => {
    const { s, jobs, victim, rogueRedis } = scene;
    const jobId = `victim-job-${Date.now()}`;
    await jobs.enqueue(victim.hostId, "instance.start", { instanceId: crypto.randomUUID() }, jobId);
    const victimKey = `${s.prefix}:bull:${hostQueueName(victim.hostId)}`;

    await expect(rogueRedis.hgetall(`${victimKey}:${jobId}`)).rejects.toThrow(NOPERM);
    await expect(rogueRedis.lrange(`${victimKey}:wait`, 0, -1)).rejects.toThrow(NOPERM);
    await expect(rogueRedis.del(`${victimKey}:wait`)).rejects.toThrow(NOPERM);

    // Consuming the victim's queue as a worker does not get the job either.
    const taken: string[] = [];
    const thief = new Worker(hostQueueName(victim.hostId), async (job) => void taken.push(job.id!), {
      connection: rogueRedis.duplicate(),
      prefix: `${s.prefix}:bull`,
      skipVersionCheck: true,
      autorun: false,
    });
    thief.on("error", () => undefined);
    void thief.run().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await thief.close(true).catch(() => undefined);
    expect(taken).toEqual([]);

    // The job is still there, waiting for its own host.
    const portalView = new Queue(hostQueueName(victim.hostId), {
      connection: s.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: `${s.prefix}:bull`,
    });
    expect(await portalView.getJobState(jobId)).toBe("waiting");
    await portalView.close();
  });

  it("cannot post on another host's events queue or the old shared one", async () => {
    const { s, victim, rogueRedis } = scene;
    for (const queue of [`events-${victim.hostId}`, "agent-events"]) {
      const q = new Queue(queue, {
        connection: rogueRedis,
        prefix: `${s.prefix}:bull`,
        skipVersionCheck: true,
      });
      await expect(
        q.add("host.heartbeat", { type: "host.heartbeat", hostId: victim.hostId, at: new Date() }),
      ).rejects.toThrow(NOPERM);
      await q.close();
    }
  });

  it("cannot read, write or list the portal's keys: sessions, sign-in counters, console tickets", async () => {
    const { s, rogueRedis } = scene;
    const keys = [
      `${s.prefix}:session:rogue-test`,
      `${s.prefix}:login:fail:user:admin`,
      `${s.prefix}:console:ticket:rogue-test`,
    ];
    for (const key of keys) await s.redis.set(key, "portal's", "EX", 60);
    for (const key of keys) {
      await expect(rogueRedis.get(key)).rejects.toThrow(NOPERM);
      await expect(rogueRedis.set(key, "rogue's")).rejects.toThrow(NOPERM);
      await expect(rogueRedis.del(key)).rejects.toThrow(NOPERM);
      await expect(rogueRedis.eval("return redis.call('GET', KEYS[1])", 1, key)).rejects.toThrow(NOPERM);
    }
    // Commands that take no key, and so would escape the key patterns, are refused outright.
    for (const command of [
      ["SCAN", "0"],
      ["KEYS", "*"],
      ["RANDOMKEY"],
      ["FLUSHALL"],
      ["FLUSHDB"],
      ["CONFIG", "GET", "requirepass"],
      ["ACL", "LIST"],
      ["ACL", "SETUSER", "rogue", "on", ">x", "~*", "+@all"],
      ["CLIENT", "LIST"],
      ["CLIENT", "KILL", "TYPE", "normal"],
      ["INFO"],
      ["MONITOR"],
      ["SCRIPT", "FLUSH"],
      ["SCRIPT", "DEBUG", "SYNC"],
      ["MEMORY", "STATS"],
      ["FUNCTION", "FLUSH"],
      ["SELECT", "1"],
      ["PUBLISH", "anything", "x"],
      ["DEBUG", "SLEEP", "0"],
      ["SHUTDOWN"],
    ])
      await expect(rogueRedis.call(command[0]!, ...command.slice(1)), command.join(" ")).rejects.toThrow(
        /NOPERM|DEBUG command not allowed/,
      );
    for (const key of keys) expect(await s.redis.get(key)).toBe("portal's");
    await s.redis.del(...keys);
  });

  it("learns no Redis credentials but its own when it joins", async () => {
    const { s } = scene;
    const { token } = await issueJoinToken(s.db, 600);
    const joined = await joinHost(
      {
        db: s.db,
        settings: testSettings({ agentRedisUrl: "redis://educloud:portal-secret@127.0.0.1:6379" }),
        hostChannel: scene.hostChannel,
      },
      { token, name: uniqueName("joiner"), facts: hostFacts(), consoleUrl: "ws://127.0.0.1:7901" },
    );
    expect(joined.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(JSON.stringify(joined)).not.toContain("portal-secret");
  });

  it("cannot sign in as another host with its own secret", async () => {
    const { s, victim, rogue } = scene;
    const r = new Redis(REDIS_URL, { lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    try {
      for (const password of [rogue.hostSecret, "", victim.hostId])
        await expect(r.call("AUTH", `${s.prefix}:host:${victim.hostId}`, password)).rejects.toThrow(
          /WRONGPASS/,
        );
    } finally {
      r.disconnect();
    }
  });
});
