import type { DomainSettings } from "./domain/context";
import { env } from "./env";

export const settings: DomainSettings = {
  cpuOvercommit: env.CPU_OVERCOMMIT,
  ramOvercommit: env.RAM_OVERCOMMIT,
  schedulerStrategy: env.SCHEDULER_STRATEGY,
  hostDownAfterSeconds: env.HOST_DOWN_AFTER_SECONDS,
  joinTokenTtlSeconds: env.JOIN_TOKEN_TTL_SECONDS,
  portalUrl: env.NEXTAUTH_URL,
  agentRedisUrl: env.AGENT_REDIS_URL ?? env.REDIS_URL,
  redisPrefix: env.REDIS_PREFIX,
  imageStoreDir: env.IMAGE_STORE_DIR,
  subnetTimeoutSeconds: env.SUBNET_TIMEOUT_SECONDS,
  portForwardRange: env.PORT_FORWARD_RANGE,
  volumeQuotaGiBPerUser: env.VOLUME_QUOTA_GIB_PER_USER,
};
