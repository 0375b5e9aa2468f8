import type { Redis } from "ioredis";
import type { HostJobPayloads, JobName } from "@/agents/protocol";
import type { AccountRole } from "@/db/schema/roles";
import type { Database } from "@/server/db/client";
import { DomainError } from "./errors";
import type { MembershipHooks } from "./events/membership-hook";
import { msg } from "@/common/message";

/** The signed-in caller, loaded fresh from MySQL on every request (role or disable take effect at once). */
export interface Actor {
  id: number;
  username: string;
  role: AccountRole;
  groupIds: number[];
  /** Groups this actor administers (a teacher's classes): only a powerAdm's or superAdm's flag counts. */
  adminGroupIds: number[];
  /**
   * Set when the caller came with an API token instead of a session: `role` above is already capped by
   * the token's. A read-only token is refused every mutation (procedureFor) and every write (defineHandler).
   */
  token?: { id: number; publicId: string; readOnly: boolean };
}

/** Operator settings the domain obeys (from the environment in production, chosen by tests). */
export interface DomainSettings {
  cpuOvercommit: number;
  ramOvercommit: number;
  /** Flavor disk GiB placed per GiB a host reports free (DISK_OVERCOMMIT). */
  diskOvercommit: number;
  schedulerStrategy: "spread" | "pack";
  hostDownAfterSeconds: number;
  joinTokenTtlSeconds: number;
  /** The portal's address as agents reach it (image downloads). */
  portalUrl: string;
  agentRedisUrl: string;
  redisPrefix: string;
  imageStoreDir: string;
  /** IPAM: default lifetime of an unconfirmed subnet. */
  subnetTimeoutSeconds: number;
  /** Host ports that may be forwarded to instances, inclusive. */
  portForwardRange: [number, number];
  /** Seals console tickets kept in Redis (HMAC-SHA256); the portal's alone (console-tickets.ts). */
  consoleTicketKey: Buffer;
  /** Seals secrets kept in portal settings (the SMTP password); from NEXTAUTH_SECRET (seal-secret.ts). */
  settingsSealKey: Buffer;
  /** Derives terminals' secrets from their salts (terminal-secrets.ts); the portal's alone. */
  terminalKey: Buffer;
  /** A kiosk sign-in with no input (console or sign-in) for this long ends (KIOSK_IDLE_MINUTES). */
  kioskIdleSeconds: number;
}

/**
 * How the domain hands work to a host's agent; BullMQ behind it (server/queue/host-jobs.ts). The payload
 * is checked at compile time against the job's schema in agents/protocol, so a field the agent requires
 * cannot be forgotten by one caller.
 */
export interface JobPort {
  /** Idempotent by jobId: the same id twice runs once. */
  enqueue<N extends JobName>(hostId: string, name: N, data: HostJobPayloads[N], jobId: string): Promise<void>;
}

/**
 * A host's own channel to the portal's Redis (its jobs queue and its events queue, nothing else). The
 * password is the host's secret, so the portal grants with the hash it already stores; Redis implements
 * it with one ACL user per host (server/queue/host-channel.ts).
 */
export interface HostChannelPort {
  grant(hostId: string, secretHash: string): Promise<void>;
  /** Credentials stop working at once: the user is removed and its open connections are closed. */
  revoke(hostId: string): Promise<void>;
}

/** What every domain function receives: its dependencies and who is asking. No transport in here. */
export interface DomainContext {
  db: Database;
  redis: Redis;
  actor: Actor | null;
  ip: string | null;
  settings: DomainSettings;
  jobs: JobPort;
  hostChannel: HostChannelPort;
  /** Announces a committed change of memberships or accounts to the areas that subscribe to it. */
  hooks: MembershipHooks;
}

/**
 * A token acts for its owner but never changes how the owner signs in or what they are: a stolen token
 * could otherwise reset the owner's password (locking them out) and sign in to mint its own successors.
 */
export function refuseOwnAccountByToken(actor: Actor, targetUserId: number): void {
  if (actor.token && actor.id === targetUserId)
    throw new DomainError("FORBIDDEN", msg("apiTokens.notOwnAccount"));
}

export function requireActor(ctx: DomainContext): Actor {
  if (!ctx.actor) throw new DomainError("UNAUTHORIZED", msg("auth.signInFirst"));
  return ctx.actor;
}
