import { randomUUID } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { z } from "zod";
import {
  PROTOCOL_VERSION,
  redisAddressOnly,
  type JoinResponse,
  type joinRequestSchema,
} from "@/agents/protocol";
import { hostJoinTokens, hosts } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext, type DomainSettings, type HostChannelPort } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError } from "../errors";
import { newSecret, sha256Hex } from "./host-secrets";
import { msg } from "@/common/message";

export interface JoinToken {
  token: string;
  expiresAt: Date;
  /** The exact command to run on the new host. */
  command: string;
}

/** Stores a new one-time token (its hash only) and returns it: the one way tokens are made. */
export async function issueJoinToken(
  db: Database,
  ttlSeconds: number,
  createdBy: number | null = null,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.insert(hostJoinTokens).values({ tokenHash: sha256Hex(token), createdBy, expiresAt });
  return { token, expiresAt };
}

export async function createJoinToken(ctx: DomainContext): Promise<JoinToken> {
  const actor = requireActor(ctx);
  const { token, expiresAt } = await issueJoinToken(ctx.db, ctx.settings.joinTokenTtlSeconds, actor.id);
  return {
    token,
    expiresAt,
    command: `npm run agent -- join --portal ${ctx.settings.portalUrl} --token=${token} --name "$(hostname -s)"`,
  };
}

/** Turns a one-time token into a host and its credentials. The token can never be used again. */
export async function joinHost(
  deps: { db: Database; settings: DomainSettings; hostChannel: HostChannelPort },
  req: z.output<typeof joinRequestSchema>,
): Promise<JoinResponse> {
  const hostId = randomUUID();
  const hostSecret = newSecret();
  const secretHash = sha256Hex(hostSecret);
  try {
    await deps.db.transaction(async (tx) => {
      const [tok] = await tx
        .select()
        .from(hostJoinTokens)
        .where(
          and(
            eq(hostJoinTokens.tokenHash, sha256Hex(req.token)),
            isNull(hostJoinTokens.usedAt),
            gt(hostJoinTokens.expiresAt, new Date()),
          ),
        )
        .for("update");
      if (!tok) throw new DomainError("UNAUTHORIZED", msg("hosts.invalidJoinToken"));
      await tx.insert(hosts).values({
        id: hostId,
        name: req.name,
        secretHash,
        cpuCount: req.facts.cpuCount,
        memoryMiB: req.facts.memoryMiB,
        diskFreeBytes: req.facts.diskFreeBytes,
        kvmUsable: req.facts.kvmUsable,
        facts: req.facts,
        consoleUrl: req.consoleUrl, // pinned here; afterwards only an admin changes it
        lastHeartbeatAt: new Date(),
      });
      await tx
        .update(hostJoinTokens)
        .set({ usedAt: new Date(), hostId })
        .where(eq(hostJoinTokens.id, tok.id));
    });
  } catch (err) {
    if (isDuplicateKey(err)) throw new DomainError("CONFLICT", msg("hosts.nameTaken", { name: req.name }));
    throw err;
  }
  // Before the answer: the agent connects to its queues as soon as it has its credentials. Should this
  // fail, the controller grants it within a minute (it keeps Redis's users in step with `hosts`).
  await deps.hostChannel.grant(hostId, secretHash);
  return {
    hostId,
    hostSecret,
    // The portal's own Redis password must never reach a host: agents sign in as their own user.
    redisUrl: redisAddressOnly(deps.settings.agentRedisUrl),
    redisPrefix: deps.settings.redisPrefix,
    portalUrl: deps.settings.portalUrl,
    protocolVersion: PROTOCOL_VERSION,
  };
}
