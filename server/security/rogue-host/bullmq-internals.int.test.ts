// BullMQ keeps bookkeeping in the queue's own keys (deduplication records, parent keys) and its Lua
// scripts follow the key names stored there. A host writes its events queue's keys, so it can plant a
// record naming another host's queue; the portal's worker must not follow it out. (Found by review: run
// as the portal's all-powerful user, the worker added a dependency to another host's job, and a faked
// stall then failed that job before its host ever saw it.)
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostEventsQueueName, hostQueueName } from "@/agents/protocol";
import { startRogueHostScene, type RogueHostScene } from "./testing/rogue-host-scene";

let scene: RogueHostScene;
beforeAll(async () => {
  scene = await startRogueHostScene();
});
afterAll(() => scene.close());

describe("rogue-host: BullMQ's own records in the host's queue", () => {
  it("a planted deduplication record naming another host's job changes nothing outside the host's queue", async () => {
    const { s, jobs, rogue, victim, rogueRedis } = scene;
    const jobId = `victim-${Date.now()}`;
    await jobs.enqueue(victim.hostId, "instance.start", { instanceId: crypto.randomUUID() }, jobId);
    const victimJob = `${s.prefix}:bull:${hostQueueName(victim.hostId)}:${jobId}`;
    const own = `${s.prefix}:bull:${hostEventsQueueName(rogue.hostId)}`;

    // Only its own keys: a direct write into the victim's queue is refused, as it should be.
    await expect(rogueRedis.sadd(`${victimJob}:dependencies`, "x")).rejects.toThrow(/NOPERM/);
    await rogueRedis.hset(`${own}:dn:X`, {
      name: "x",
      data: "{}",
      opts: JSON.stringify({ delay: 600_000 }),
      pk: victimJob,
      pd: JSON.stringify({
        id: jobId,
        queueKey: `${s.prefix}:bull:${hostQueueName(victim.hostId)}`,
        fpof: true,
      }),
      pdk: `${victimJob}:dependencies`,
      jid: "evil1",
    });
    const q = new Queue(hostEventsQueueName(rogue.hostId), {
      connection: rogueRedis,
      prefix: `${s.prefix}:bull`,
      skipVersionCheck: true,
    });
    const job = await q.add("e", { not: "an event" }, { deduplication: { id: "X" } });
    await q.close();
    const view = new Queue(hostEventsQueueName(rogue.hostId), {
      connection: s.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: `${s.prefix}:bull`,
    });
    for (let i = 0; i < 100; i++) {
      const state = await view.getJobState(job.id!);
      if (state === "completed" || state === "failed") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await view.close();
    await new Promise((r) => setTimeout(r, 200));

    expect(await s.redis.exists(`${victimJob}:dependencies`)).toBe(0);
    expect(await s.redis.hget(victimJob, "defa")).toBeNull();
    const victimQueue = new Queue(hostQueueName(victim.hostId), {
      connection: s.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: `${s.prefix}:bull`,
    });
    expect(await victimQueue.getJobState(jobId)).toBe("waiting");
    await victimQueue.close();
  });
});
