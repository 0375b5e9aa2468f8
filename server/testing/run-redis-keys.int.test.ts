// The teardown's guard against Redis keys a run leaves behind. Uses a made-up run name inside this
// run's own namespace, so the real run's keys are never touched.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestServices, type TestServices } from "./fixtures";
import { removeRunKeys, scanKeys, straysMessage } from "./run-redis-keys";

let s: TestServices;
beforeAll(async () => {
  s = openTestServices();
  // The client fails commands while it connects (no offline queue): wait until it is up.
  if (s.redis.status !== "ready") await new Promise((r) => s.redis.once("ready", r));
});
afterAll(() => s.close());

describe("removeRunKeys", () => {
  it("removes the run's namespace and names every key that escaped it", async () => {
    const run = `${s.prefix}:fake-run-${randomBytes(3).toString("hex")}`;
    await s.redis.set(`${run}:bull:host-1:id`, "1");
    await s.redis.set(`${run}:console-ticket:abc`, "{}", "EX", 60);
    // What the subnet-expiry test used to leave behind: a queue under "<run>-maint-…", never expiring.
    await s.redis.set(`${run}-maint-1a2b3c:bull:system:meta`, "x");
    await s.redis.hset(`${run}-maint-1a2b3c:bull:system:repeat`, "k", "v");
    const { removed, strays } = await removeRunKeys(s.redis, run);
    expect(removed).toBe(2);
    expect(strays).toEqual([
      `${run}-maint-1a2b3c:bull:system:meta`,
      `${run}-maint-1a2b3c:bull:system:repeat`,
    ]);
    expect(await scanKeys(s.redis, `${run}*`)).toEqual([]);
    expect(straysMessage(run, strays)).toContain(`${run}-maint-1a2b3c:bull:system:meta`);
  });

  it("reports nothing for a run that kept to its namespace", async () => {
    const run = `${s.prefix}:fake-run-${randomBytes(3).toString("hex")}`;
    await s.redis.set(`${run}:login-fail:acct:x`, "1", "EX", 60);
    expect(await removeRunKeys(s.redis, run)).toEqual({ removed: 1, strays: [] });
  });
});
