import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { hostEventsQueueName, hostQueueName, hostRedisUsername, redisAddressOnly } from "@/agents/protocol";
import type { HostChannelPort } from "@/server/domain/context";

/**
 * What a host's Redis user may run: the commands BullMQ's worker and producer use (found by running them
 * under this ACL), minus everything that reaches beyond its own keys. Key patterns confine reads and
 * writes, including inside Lua scripts; the commands removed here are those that take no key and so
 * escape the patterns: listing keys (SCAN, RANDOMKEY), server state (INFO, CONFIG, CLIENT, MONITOR),
 * flushing scripts or data, pub/sub, and switching databases.
 */
export const HOST_COMMAND_RULES = [
  "-@all",
  "+@read",
  "+@write",
  "+@scripting",
  "+@keyspace",
  "+@list",
  "+@sortedset",
  "+@hash",
  "+@string",
  "+@stream",
  "+@set",
  "+@transaction",
  "+@connection",
  "+@blocking",
  "+@fast",
  "+@slow",
  "-@admin",
  "-@dangerous",
  "-@pubsub",
  "-scan",
  "-randomkey",
  "-dbsize",
  "-script|flush",
  "-script|kill",
  "-script|debug",
  "-memory",
  "-function",
  "-select",
  "-swapdb",
  "-migrate",
  "-object",
  "-client",
  "+client|setname",
  "+client|getname",
  "+client|id",
];

/** The keys of a host's own two queues, as BullMQ names them under `<prefix>:bull`. */
export function hostKeyPatterns(redisPrefix: string, hostId: string): string[] {
  return [
    `~${redisPrefix}:bull:${hostQueueName(hostId)}:*`,
    `~${redisPrefix}:bull:${hostEventsQueueName(hostId)}:*`,
  ];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The portal's own user for one host's queues: BullMQ's Lua scripts follow key names stored in the queue
 * (deduplication records, parent keys), and a host writes those; run as the portal's all-powerful user
 * they would write into other hosts' queues. Confined to the host's keys, Redis refuses them instead.
 */
export const portalSideUsername = (redisPrefix: string, hostId: string) => `${redisPrefix}:portal:${hostId}`;

/** Per-host Redis ACL users (Redis 6+): a host holds a password for its own queues and nothing else. */
export function createHostChannel(
  admin: Redis,
  redisPrefix: string,
  /** Where confined connections go (the portal's REDIS_URL; its credentials are not used for them). */
  redisUrl?: string,
): HostChannelPort & {
  /** Makes Redis's users match `hosts` (after a Redis restart, which forgets users not in an ACL file). */
  sync(hosts: { id: string; secretHash: string }[]): Promise<void>;
  /** A new connection that can reach this host's two queues and nothing else, for the portal's side. */
  confinedConnection(hostId: string): Promise<Redis>;
} {
  const portalPasswords = new Map<string, string>();
  const grantPortalSide = async (hostId: string, password: string) => {
    await admin.call(
      "ACL",
      "SETUSER",
      portalSideUsername(redisPrefix, hostId),
      "reset",
      "on",
      `>${password}`,
      "resetchannels",
      ...hostKeyPatterns(redisPrefix, hostId),
      ...HOST_COMMAND_RULES,
    );
  };
  const grant = async (hostId: string, secretHash: string) => {
    if (!SHA256_HEX.test(secretHash)) throw new Error("a host's secret hash must be 64 hex digits");
    const user = hostRedisUsername(redisPrefix, hostId);
    // `reset` first: a rotated secret replaces the old one instead of joining it.
    await admin.call(
      "ACL",
      "SETUSER",
      user,
      "reset",
      "on",
      `#${secretHash}`,
      "resetchannels",
      ...hostKeyPatterns(redisPrefix, hostId),
      ...HOST_COMMAND_RULES,
    );
  };
  const killConnections = async (user: string) => {
    await admin.call("CLIENT", "KILL", "USER", user).catch((err: Error) => {
      // Redis answers an error when the user has no connections or no longer exists.
      if (!/no such user|No such client/i.test(err.message)) throw err;
    });
  };
  return {
    grant,
    async revoke(hostId) {
      const user = hostRedisUsername(redisPrefix, hostId);
      // Remove first so a reconnect in between is refused, then close what is open.
      await admin.call("ACL", "DELUSER", user);
      await killConnections(user);
    },
    async sync(hosts) {
      const mine = `${redisPrefix}:host:`;
      const wanted = new Set(hosts.map((h) => hostRedisUsername(redisPrefix, h.id)));
      const users = (await admin.call("ACL", "USERS")) as string[];
      for (const user of users)
        if (user.startsWith(mine) && !wanted.has(user)) {
          await admin.call("ACL", "DELUSER", user);
          await killConnections(user);
        }
      for (const h of hosts) await grant(h.id, h.secretHash);
      // The portal's confined users too: a Redis restart forgot them, and their connections retry.
      for (const h of hosts) {
        const password = portalPasswords.get(h.id);
        if (password) await grantPortalSide(h.id, password);
      }
    },
    async confinedConnection(hostId) {
      if (!redisUrl) throw new Error("confined connections need the Redis address");
      let password = portalPasswords.get(hostId);
      if (!password) {
        password = randomBytes(24).toString("hex");
        portalPasswords.set(hostId, password);
      }
      await grantPortalSide(hostId, password);
      const connection = new Redis(redisAddressOnly(redisUrl), {
        username: portalSideUsername(redisPrefix, hostId),
        password,
        maxRetriesPerRequest: null,
        // The ready check runs INFO, which this user may not.
        enableReadyCheck: false,
      });
      connection.on("error", () => undefined); // BullMQ reports; ioredis reconnects by itself
      return connection;
    },
  };
}
