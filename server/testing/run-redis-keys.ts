import type { Redis } from "ioredis";

/** Every key matching `pattern`, found with SCAN (KEYS would block a Redis other runs share). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

/** Deletes every key matching `pattern`; returns how many there were. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  const keys = await scanKeys(redis, pattern);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  return keys.length;
}

/**
 * A test run owns the Redis namespace `<run>:` (queues, tickets, counters), as it owns its database: the
 * run's teardown removes that namespace whole. A key that starts with the run's name but lies outside
 * the namespace (`<run>-something:…`) escaped that clean-up and would stay in Redis forever, one more
 * on every run. Removes the namespace, then removes and returns whatever such strays remain, so the
 * teardown can fail the run and name them.
 */
export async function removeRunKeys(
  redis: Redis,
  run: string,
): Promise<{ removed: number; strays: string[] }> {
  const removed = await deleteKeys(redis, `${run}:*`);
  const strays = await scanKeys(redis, `${run}*`);
  if (strays.length) await redis.del(...strays);
  return { removed, strays: strays.sort() };
}

/** The message a teardown fails with when a run left keys outside its namespace. */
export function straysMessage(run: string, strays: string[]): string {
  const shown = strays.slice(0, 20).join("\n  ");
  return (
    `This run left ${strays.length} Redis key(s) outside its namespace "${run}:" (removed now, but a test ` +
    `or the code must clean them up or give them an expiry):\n  ${shown}${strays.length > 20 ? "\n  …" : ""}`
  );
}

/** Removes the Redis users this run's hosts were given (host-channel.ts names them `<run>:host:<id>`). */
export async function removeRunUsers(redis: Redis, run: string): Promise<number> {
  const users = ((await redis.call("ACL", "USERS")) as string[]).filter((u) => u.startsWith(`${run}:`));
  for (const user of users) await redis.call("ACL", "DELUSER", user);
  return users.length;
}
