import type { DomainSettings } from "./domain/context";
import type { TrustProxy } from "./auth/client-ip";
import type { Env } from "./env";
import { deriveConsoleTicketKey } from "./domain/consoles/console-tickets";
import { deriveSettingsSealKey } from "./domain/settings/seal-secret";
import { deriveTerminalKey } from "./domain/terminals/terminal-secrets";
import type { ReaperSettings } from "./queue/maintenance";

/**
 * Everything the portal's code reads from its configuration, typed and derived once from the
 * environment: the domain's part (DomainSettings) and what the transports need. Code receives this
 * object from the composition root (server/services.ts) and never reads the environment itself.
 */
export interface PortalSettings extends DomainSettings {
  /** Largest image file accepted (bytes). */
  imageMaxBytes: number;
  imageMaxVirtualBytes: number;
  imageConvertTimeoutSeconds: number;
  /** Signs sessions (next-auth) and derives the console signing key. */
  sessionSecret: string;
  /** The portal's own origin, whose pages may open consoles. */
  portalOrigin: string;
  consoleIdleTimeoutMs: number;
  consoleMaxSessionsPerUser: number;
  consoleMaxSessionsPerProcess: number;
  databaseUrl: string;
  redisUrl: string;
  /** Sign-in limits: checks per account and failures per address within the window, delays, known browsers. */
  login: {
    maxPerAccount: number;
    maxPerAddress: number;
    windowSeconds: number;
    delayAfterFailures: number;
    maxDelaySeconds: number;
    knownDeviceSeconds: number;
  };
  sessionMaxAgeSeconds: number;
  /** Where the portal listens, whether it is a production build, and whether to trust X-Forwarded-For. */
  listenHost: string;
  listenPort: number;
  production: boolean;
  trustProxy: TrustProxy;
  /** Served over HTTPS (NEXTAUTH_URL): cookies are Secure. */
  secureCookies: boolean;
  /** Deadlines after which the reaper gives up work handed to a host (server/queue/maintenance.ts). */
  reaper: ReaperSettings;
  /** Desktop pools: concurrent power operations per host (POOL_HOST_POWER_OPS). */
  poolHostPowerOps: number;
  /** VOLUME_QUOTA_GIB_PER_USER when an install still sets it: only to warn at start (quotas replaced it). */
  retiredVolumeQuotaGiB: number | null;
}

export function settingsFromEnv(env: Env): PortalSettings {
  return {
    cpuOvercommit: env.CPU_OVERCOMMIT,
    ramOvercommit: env.RAM_OVERCOMMIT,
    diskOvercommit: env.DISK_OVERCOMMIT,
    schedulerStrategy: env.SCHEDULER_STRATEGY,
    hostDownAfterSeconds: env.HOST_DOWN_AFTER_SECONDS,
    joinTokenTtlSeconds: env.JOIN_TOKEN_TTL_SECONDS,
    portalUrl: env.NEXTAUTH_URL,
    agentRedisUrl: env.AGENT_REDIS_URL ?? env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    imageStoreDir: env.IMAGE_STORE_DIR,
    subnetTimeoutSeconds: env.SUBNET_TIMEOUT_SECONDS,
    portForwardRange: env.PORT_FORWARD_RANGE,
    retiredVolumeQuotaGiB: env.VOLUME_QUOTA_GIB_PER_USER ?? null,
    consoleTicketKey: deriveConsoleTicketKey(env.NEXTAUTH_SECRET),
    settingsSealKey: deriveSettingsSealKey(env.NEXTAUTH_SECRET),
    terminalKey: deriveTerminalKey(env.NEXTAUTH_SECRET),
    kioskIdleSeconds: env.KIOSK_IDLE_MINUTES * 60,
    imageMaxBytes: env.IMAGE_MAX_BYTES,
    imageMaxVirtualBytes: env.IMAGE_MAX_VIRTUAL_GIB * 1024 ** 3,
    imageConvertTimeoutSeconds: env.IMAGE_CONVERT_TIMEOUT_SECONDS,
    sessionSecret: env.NEXTAUTH_SECRET,
    portalOrigin: new URL(env.NEXTAUTH_URL).origin,
    consoleIdleTimeoutMs: env.CONSOLE_IDLE_TIMEOUT_SECONDS * 1000,
    consoleMaxSessionsPerUser: env.CONSOLE_MAX_SESSIONS_PER_USER,
    consoleMaxSessionsPerProcess: env.CONSOLE_MAX_SESSIONS_PER_PROCESS,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    login: {
      maxPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
      delayAfterFailures: env.LOGIN_DELAY_AFTER_FAILURES,
      maxDelaySeconds: env.LOGIN_MAX_DELAY_SECONDS,
      knownDeviceSeconds: env.LOGIN_KNOWN_DEVICE_DAYS * 86_400,
    },
    sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
    listenHost: env.HOST,
    listenPort: env.PORT,
    production: env.NODE_ENV === "production",
    trustProxy: env.TRUST_PROXY,
    secureCookies: env.NEXTAUTH_URL.startsWith("https://"),
    reaper: {
      createSeconds: env.INSTANCE_CREATE_TIMEOUT_SECONDS,
      actionSeconds: env.INSTANCE_ACTION_TIMEOUT_SECONDS,
      hostTaskSilentSeconds: env.HOST_TASK_SILENT_SECONDS,
      hostDownAfterSeconds: env.HOST_DOWN_AFTER_SECONDS,
    },
    poolHostPowerOps: env.POOL_HOST_POWER_OPS,
  };
}
