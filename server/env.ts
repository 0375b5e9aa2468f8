import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./auth/client-ip";

// `npm run setup` writes .env; values already in the environment win (tests and CI set their own).
const envFile = resolve(/*turbopackIgnore: true*/ process.cwd(), ".env");
if (existsSync(envFile)) process.loadEnvFile(envFile);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().regex(/^mysql:\/\//, "DATABASE_URL must be a mysql:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "REDIS_URL must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  /** Prefix for every Redis key and BullMQ queue, so several installs (or test runs) share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9:_-]+$/i)
    .default("educloud"),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters"),
  NEXTAUTH_URL: z.url().default("http://localhost:3000"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Which reverse proxies in front of the portal write X-Forwarded-For: false (none: it can be forged),
   * true (one), a number of proxies, or their addresses/CIDRs, comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .default("false")
    .transform((v, ctx): TrustProxy => {
      const parsed = parseTrustProxy(v);
      if ("error" in parsed) {
        ctx.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }
      return parsed;
    }),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(10).default(900),
  /** Failures from one address before each further attempt from it waits (doubling up to LOGIN_MAX_DELAY_SECONDS). */
  LOGIN_DELAY_AFTER_FAILURES: z.coerce.number().int().min(0).default(5),
  LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** How long a browser that signed in to an account stays known for it (not held by that account's lock). */
  LOGIN_KNOWN_DEVICE_DAYS: z.coerce.number().int().min(0).max(400).default(90),
  SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(8 * 3600),
  /** Where uploaded images are kept, content-addressed by sha256. */
  IMAGE_STORE_DIR: z
    .string()
    .default("var/image-store")
    .transform((p) => resolve(/*turbopackIgnore: true*/ process.cwd(), p)),
  /** Largest image file accepted (bytes): checked against tus Upload-Length, while receiving and while converting. */
  IMAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(64 * 1024 ** 3),
  /**
   * Largest virtual disk an image may announce (GiB). A tiny file can claim 100 TiB; every VM started from
   * it would get a disk its host cannot hold. The default is the largest disk a flavor may have.
   */
  IMAGE_MAX_VIRTUAL_GIB: z.coerce.number().int().min(1).max(16384).default(16384),
  /** qemu-img convert is killed after this long (a hostile or huge image must not hold the portal's disk forever). */
  IMAGE_CONVERT_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(3600),
  /** vCPUs a host may promise per physical CPU, and RAM per physical MiB. */
  CPU_OVERCOMMIT: z.coerce.number().min(0.1).max(64).default(4),
  RAM_OVERCOMMIT: z.coerce.number().min(0.1).max(8).default(1),
  /**
   * Flavor disk GiB a host may promise per GiB it reports free (thin provisioning: overlays grow only as
   * guests write). 1 by default: every disk placed could be written in full with the space free when it
   * was placed, so no guest can fill its host by filling its own disk. Raise it knowingly (docs/security.md).
   */
  DISK_OVERCOMMIT: z.coerce.number().min(0.1).max(20).default(1),
  SCHEDULER_STRATEGY: z.enum(["spread", "pack"]).default("spread"),
  /** A host that has not sent a heartbeat for this long is shown as down and gets no new instances. */
  HOST_DOWN_AFTER_SECONDS: z.coerce.number().int().min(5).default(30),
  /**
   * Deadlines of work handed to a host, counted from its last news (a change or a progress report): an
   * instance still creating (or reverting) after INSTANCE_CREATE_TIMEOUT_SECONDS, or starting, stopping,
   * rebooting or deleting after INSTANCE_ACTION_TIMEOUT_SECONDS, goes to ERROR with the reason; a host's
   * task (image sync, capture) silent for HOST_TASK_SILENT_SECONDS is failed.
   */
  INSTANCE_CREATE_TIMEOUT_SECONDS: z.coerce.number().int().min(30).default(1800),
  INSTANCE_ACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(30).default(600),
  HOST_TASK_SILENT_SECONDS: z.coerce.number().int().min(60).default(1800),
  /** Desktop pools: at most this many desktops per host being built, started or reset at once. */
  POOL_HOST_POWER_OPS: z.coerce.number().int().min(1).max(64).default(4),
  JOIN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  /** IPAM: a carved subnet returns to the pool after this long unless confirmed (seed 001: 120 s). */
  SUBNET_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(86_400).default(120),
  /**
   * Retired: volumes count in the diskGiB quota now (instance disks + volumes; Admin → Quotas, role
   * defaults). Still parsed so that an install that sets it is told at start where the limit went.
   */
  VOLUME_QUOTA_GIB_PER_USER: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** Host ports users may forward to their instances, "min-max". */
  PORT_FORWARD_RANGE: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/)
    .default("20000-29999")
    .transform((v) => v.split("-").map(Number) as [number, number])
    .refine(
      ([a, b]) => a >= 1024 && a <= b && b <= 65535,
      "PORT_FORWARD_RANGE must be min-max within 1024-65535",
    ),
  CONSOLE_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(900),
  /** A student signed in at a kiosk (a terminal) with no input for this long is signed out there. */
  KIOSK_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  CONSOLE_MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).default(4),
  CONSOLE_MAX_SESSIONS_PER_PROCESS: z.coerce.number().int().min(1).default(200),
  /** The Redis address handed to joining agents (defaults to REDIS_URL: right for an all-in-one install). */
  AGENT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//)
    .optional(),
});

export type Env = z.infer<typeof schema>;

function loadEnv(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`eduCloud configuration is invalid (run \`npm run setup\` to write .env):\n${lines}`);
  }
  return parsed.data;
}

export const env: Env = loadEnv();
