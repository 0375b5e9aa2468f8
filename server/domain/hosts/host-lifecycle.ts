// An admin's answers to a lost, stolen or retired host: revoke its credentials, issue new ones, remove it.
// Every path ends the host's Redis channel (hostChannel.revoke) and makes its HTTP credential useless at
// once: authenticateHost reads the row on every request, nothing caches it.
import { and, count, eq, isNull, ne } from "drizzle-orm";
import { hostJoinTokens, hosts, instanceCaptures, instances, volumes } from "@/db/schema";
import { msg } from "@/common/message";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { readHostUsage, toHostView, type HostView } from "./find-hosts";
import { newSecret, sha256Hex } from "./host-secrets";
import { issueJoinToken, joinCommand, type JoinToken } from "./join-host";

/** A hash nobody knows the secret of: the host's old secret no longer matches anything. */
const unknownSecretHash = () => sha256Hex(newSecret());

/** Re-join tokens bound to this host that were never used (at most one is meant to be live). */
const pendingRejoinTokens = (hostId: string) =>
  and(eq(hostJoinTokens.hostId, hostId), isNull(hostJoinTokens.usedAt));

async function viewOf(ctx: DomainContext, id: string): Promise<HostView> {
  const [row] = await ctx.db.select().from(hosts).where(eq(hosts.id, id));
  if (!row) throw notFound("host");
  return toHostView(row, (await readHostUsage(ctx.db)).get(id), ctx.settings);
}

/**
 * The host's credentials stop working at once, on every agent route and on its Redis channel, and it
 * gets no new work. Its instances keep their rows (shown on a revoked host). Idempotent. A re-join token
 * from rotateHostCredentials is the one way back (e.g. after reinstalling a stolen machine).
 */
export async function revokeHost(ctx: DomainContext, input: { id: string }): Promise<HostView> {
  requireActor(ctx);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, input.id)).for("update");
    if (!row) throw notFound("host");
    // revoked_at is what authentication checks; the secret is replaced as well, so clearing the flag by
    // hand could not bring the old credential back.
    await tx
      .update(hosts)
      .set({ revokedAt: new Date(), secretHash: unknownSecretHash() })
      .where(and(eq(hosts.id, input.id), isNull(hosts.revokedAt)));
    // A re-join token issued before the revocation might be what leaked with the host.
    await tx.delete(hostJoinTokens).where(pendingRejoinTokens(input.id));
  });
  await ctx.hostChannel.revoke(input.id);
  return viewOf(ctx, input.id);
}

/**
 * New credentials for a host: the old secret stops working now, and a one-time re-join token bound to
 * this host id is returned. `npm run agent -- join` with it keeps the host id (its instances, caches and
 * networks stay), replaces credentials.json, and — for a revoked host — lifts the revocation.
 */
export async function rotateHostCredentials(ctx: DomainContext, input: { id: string }): Promise<JoinToken> {
  const actor = requireActor(ctx);
  const issued = await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, input.id)).for("update");
    if (!row) throw notFound("host");
    await tx.update(hosts).set({ secretHash: unknownSecretHash() }).where(eq(hosts.id, input.id));
    await tx.delete(hostJoinTokens).where(pendingRejoinTokens(input.id));
    return issueJoinToken(tx, ctx.settings.joinTokenTtlSeconds, actor.id, input.id);
  });
  await ctx.hostChannel.revoke(input.id);
  return { ...issued, command: joinCommand(ctx.settings.portalUrl, issued.token) };
}

/**
 * Removes a host that runs nothing any more. Refused while an instance or a volume still lives there
 * (delete or move them first; a revoked host's instances can only be deleted once it is back or by
 * hand): removing would strand them without a host. What is history (deleted instances, deleted
 * volumes, finished captures) lets go of the host; the row's children (usage, image cache, network
 * states, port forwards) go with it.
 */
export async function removeHost(ctx: DomainContext, input: { id: string }): Promise<void> {
  requireActor(ctx);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(hosts).where(eq(hosts.id, input.id)).for("update");
    if (!row) throw notFound("host");
    const [live] = await tx
      .select({ n: count() })
      .from(instances)
      .where(and(eq(instances.hostId, input.id), ne(instances.state, "DELETED")));
    if (live!.n > 0)
      throw new DomainError("CONFLICT", msg("hosts.removeLiveInstances", { name: row.name, count: live!.n }));
    const [liveVolumes] = await tx
      .select({ n: count() })
      .from(volumes)
      .where(and(eq(volumes.hostId, input.id), ne(volumes.state, "deleted")));
    if (liveVolumes!.n > 0)
      throw new DomainError(
        "CONFLICT",
        msg("hosts.removeLiveVolumes", { name: row.name, count: liveVolumes!.n }),
      );
    await tx.update(instances).set({ hostId: null }).where(eq(instances.hostId, input.id));
    await tx.delete(instanceCaptures).where(eq(instanceCaptures.hostId, input.id));
    await tx.delete(volumes).where(and(eq(volumes.hostId, input.id), eq(volumes.state, "deleted")));
    await tx.delete(hostJoinTokens).where(pendingRejoinTokens(input.id));
    await tx.delete(hosts).where(eq(hosts.id, input.id));
  });
  await ctx.hostChannel.revoke(input.id);
}
