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
import { isDuplicateKey, isForeignKeyViolation } from "../db-errors";
import { DomainError, notFound } from "../errors";
import { implausibleFacts } from "./facts-bounds";
import { newSecret, sha256Hex } from "./host-secrets";
import { msg } from "@/common/message";

export interface JoinToken {
  token: string;
  expiresAt: Date;
  /** The exact command to run on the new host. */
  command: string;
}

/**
 * Stores a new one-time token (its hash only) and returns it: the one way tokens are made. With a host
 * id it is a re-join token (rotateHostCredentials): it gives that existing host new credentials.
 */
export async function issueJoinToken(
  db: Pick<Database, "insert">,
  ttlSeconds: number,
  createdBy: number | null = null,
  rejoinHostId: string | null = null,
  clusterId: number | null = null,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  try {
    await db
      .insert(hostJoinTokens)
      .values({ tokenHash: sha256Hex(token), createdBy, expiresAt, hostId: rejoinHostId, clusterId });
  } catch (err) {
    // The only reference a caller chooses is the cluster (a re-join's host id is the caller's own row).
    if (isForeignKeyViolation(err)) throw notFound("cluster");
    throw err;
  }
  return { token, expiresAt };
}

/** The command an admin runs on the host (a re-joining host keeps its name: --name is then ignored). */
export const joinCommand = (portalUrl: string, token: string) =>
  `npm run agent -- join --portal ${portalUrl} --token=${token} --name "$(hostname -s)"`;

/** clusterId: the cluster the new host lands in (the token decides it; the agent cannot choose). */
export async function createJoinToken(
  ctx: DomainContext,
  input: { clusterId?: number | null } = {},
): Promise<JoinToken> {
  const actor = requireActor(ctx);
  const { token, expiresAt } = await issueJoinToken(
    ctx.db,
    ctx.settings.joinTokenTtlSeconds,
    actor.id,
    null,
    input.clusterId ?? null,
  );
  return { token, expiresAt, command: joinCommand(ctx.settings.portalUrl, token) };
}

/**
 * Turns a one-time token into a host and its credentials. The token can never be used again. A re-join
 * token (bound to a host) gives that host new credentials instead of making a new one: same id and name,
 * new secret, revocation lifted.
 */
export async function joinHost(
  deps: { db: Database; settings: DomainSettings; hostChannel: HostChannelPort },
  req: z.output<typeof joinRequestSchema>,
): Promise<JoinResponse> {
  // A host that claims a machine no school has would attract every new instance: refused outright.
  const implausible = implausibleFacts(req.facts);
  if (implausible) throw new DomainError("INVALID", implausible);
  let hostId: string = randomUUID();
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
      if (tok.hostId) {
        hostId = tok.hostId;
        const [res] = await tx
          .update(hosts)
          .set({
            secretHash,
            revokedAt: null,
            factsRefused: null,
            factsRefusedAt: null,
            cpuCount: req.facts.cpuCount,
            memoryMiB: req.facts.memoryMiB,
            diskFreeBytes: req.facts.diskFreeBytes,
            kvmUsable: req.facts.kvmUsable,
            facts: req.facts,
            // Re-joining is joining with an admin's token: the address the agent keeps is pinned again.
            consoleUrl: req.consoleUrl,
            lastHeartbeatAt: new Date(),
          })
          .where(eq(hosts.id, hostId));
        // The host was removed after the token was issued.
        if (res.affectedRows === 0) throw new DomainError("UNAUTHORIZED", msg("hosts.invalidJoinToken"));
        await tx.update(hostJoinTokens).set({ usedAt: new Date() }).where(eq(hostJoinTokens.id, tok.id));
        return;
      }
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
        // The token's cluster, never anything the agent sent (a re-join above keeps the host's own).
        clusterId: tok.clusterId,
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
