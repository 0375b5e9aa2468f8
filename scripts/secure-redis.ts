// Protects the Redis an install uses: no one gets in without a password, the portal signs in as its own
// user, and hosts later get users of their own (server/queue/host-channel.ts). Run by setup and by
// `npm start` (a Redis restarted without a config file forgets its users; this puts them back).
//
// Machine level: one admin user whose password is kept in a root-only file (like MariaDB's root over its
// socket), so every install on the machine — a second checkout, CI — can create its own portal user.
// Install level: the portal's user and password are in REDIS_URL in .env.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";

export const ADMIN_USER = "educloud-admin";

export interface SecureRedisOptions {
  /** The portal's REDIS_URL: redis://<user>:<password>@host:port. */
  url: string;
  /** Root-only file with the machine's Redis admin password. */
  adminFile: string;
  /** Do nothing when the portal's user works and the default user is already off (`npm start`). */
  ifNeeded?: boolean;
}

async function tryConnect(url: string, username?: string, password?: string): Promise<Redis | null> {
  const r = new Redis(url, {
    username,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  r.on("error", () => undefined);
  try {
    await r.connect();
    await r.ping(); // NOAUTH when the default user is off and no password was given
    return r;
  } catch {
    r.disconnect();
    return null;
  }
}

async function readAdminPassword(file: string): Promise<string | null> {
  try {
    const m = /^password=(\S+)$/m.exec(await readFile(file, "utf8"));
    return m?.[1] ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Returns what it did, one line each (setup prints them). */
export async function secureRedis(opts: SecureRedisOptions): Promise<string[]> {
  const done: string[] = [];
  const target = new URL(opts.url);
  const portalUser = decodeURIComponent(target.username);
  const portalPassword = decodeURIComponent(target.password);
  if (!portalUser || !portalPassword)
    throw new Error(
      "REDIS_URL must carry the portal's Redis user and password (redis://user:password@host:port)",
    );
  const bare = `${target.protocol}//${target.host}`;
  if (opts.ifNeeded) {
    const [portal, anonymous] = await Promise.all([
      tryConnect(bare, portalUser, portalPassword),
      tryConnect(bare),
    ]);
    portal?.disconnect();
    anonymous?.disconnect();
    if (portal && !anonymous) return ["Redis is protected."];
  }

  let adminPassword = await readAdminPassword(opts.adminFile);
  let admin = adminPassword ? await tryConnect(bare, ADMIN_USER, adminPassword) : null;
  if (!admin) {
    // A Redis that has never been protected, or one restarted without its config: the default user is
    // open, and the admin user is (re)made with the password the file keeps, or a new one.
    admin = await tryConnect(bare);
    if (!admin)
      throw new Error(
        `Redis at ${target.host} refuses the default user and the admin password in ${opts.adminFile} ` +
          `(${adminPassword ? "present but wrong" : "missing"}). Put the password of a Redis user with ` +
          `all rights there as "password=…" (user ${ADMIN_USER}) and run this again.`,
      );
    adminPassword ??= randomBytes(24).toString("hex");
    await mkdir(dirname(opts.adminFile), { recursive: true, mode: 0o700 });
    await writeFile(opts.adminFile, `user=${ADMIN_USER}\npassword=${adminPassword}\n`, { mode: 0o600 });
    await chmod(opts.adminFile, 0o600);
    await admin.call("ACL", "SETUSER", ADMIN_USER, "on", `>${adminPassword}`, "~*", "&*", "+@all");
    done.push(`Redis admin user ${ADMIN_USER} made (password in ${opts.adminFile}).`);
  }
  try {
    // The portal needs every key of its install and the ACL commands that make and remove hosts' users.
    await admin.call(
      "ACL",
      "SETUSER",
      portalUser,
      "on",
      "resetpass",
      `>${portalPassword}`,
      "~*",
      "&*",
      "+@all",
    );
    await admin.call("ACL", "SETUSER", "default", "off");
    done.push(`Redis: the portal signs in as ${portalUser}; the password-less default user is off.`);
    // Queued jobs and agents' events must survive a Redis restart and must never be evicted: the
    // append-only file flushed every second (a crash loses at most a second), and a full Redis refuses
    // writes (callers see an outage and retry) rather than dropping keys. The health page warns otherwise.
    for (const [key, value] of [
      ["appendonly", "yes"],
      ["appendfsync", "everysec"],
      ["maxmemory-policy", "noeviction"],
    ] as const)
      await admin.call("CONFIG", "SET", key, value).catch((err: Error) => {
        throw new Error(`Could not set Redis ${key} to ${value} (${err.message}); set it in redis.conf.`);
      });
    done.push("Redis: appendonly yes, appendfsync everysec, maxmemory-policy noeviction.");
    // Users and settings kept across restarts where Redis has a file to keep them in; otherwise `npm
    // start` puts the users back (and a Redis setup started itself has the settings on its command line).
    const aclFile = ((await admin.call("CONFIG", "GET", "aclfile")) as string[])[1];
    const info = await admin.info("server");
    const configFile = /config_file:(\S*)/.exec(info)?.[1];
    if (aclFile) {
      await admin.call("ACL", "SAVE");
      done.push(`Redis users saved in ${aclFile}.`);
    } else if (configFile) {
      await admin.call("CONFIG", "REWRITE");
      done.push(`Redis users saved in ${configFile}.`);
    }
  } finally {
    admin.disconnect();
  }
  return done;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (run through setup or start, which read .env)");
  const adminFile = process.env.EDUCLOUD_REDIS_ADMIN_FILE ?? "/etc/educloud/redis-admin.env";
  secureRedis({ url, adminFile, ifNeeded: process.argv.includes("--if-needed") })
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((err: Error) => {
      console.error(`error: ${err.message}`);
      process.exit(1);
    });
}
