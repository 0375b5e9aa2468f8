import { asc, eq } from "drizzle-orm";
import { hostUsage, hosts, type HostRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { requireActor, type DomainContext, type DomainSettings } from "../context";
import { notFound } from "../errors";
import { parseHostAuthHeader } from "@/agents/protocol";
import type { Message } from "@/common/message";
import { secretMatches } from "./host-secrets";

/** A host is up while its heartbeats keep coming; a pure rule the UI and the scheduler share. */
export function isHostUp(lastHeartbeatAt: Date | null, now: Date, downAfterSeconds: number): boolean {
  return !!lastHeartbeatAt && now.getTime() - lastHeartbeatAt.getTime() <= downAfterSeconds * 1000;
}

export interface HostUsage {
  vcpusUsed: number;
  memoryMiBUsed: number;
  instanceCount: number;
}

/**
 * Capacity held by instances: every instance placed on a host until it is DELETED (stopped ones too).
 * Read from host_usage, which triggers keep in step with `instances` (see db/schema/compute.ts).
 */
export async function readHostUsage(db: Pick<Database, "select">): Promise<Map<string, HostUsage>> {
  const rows = await db.select().from(hostUsage);
  return new Map(
    rows.map((r) => [
      r.hostId,
      { vcpusUsed: r.vcpusUsed, memoryMiBUsed: r.memoryMiBUsed, instanceCount: r.instanceCount },
    ]),
  );
}

export interface HostView {
  id: string;
  name: string;
  enabled: boolean;
  /** Its credentials were revoked: it is refused everywhere and gets no new work. */
  revokedAt: Date | null;
  up: boolean;
  heartbeatAgeSeconds: number | null;
  accel: "kvm" | "tcg";
  facts: HostRow["facts"];
  /** The pinned console address; hosts.list is for superAdm only, and nothing shows it to users. */
  consoleUrl: string | null;
  capacity: { vcpus: number; memoryMiB: number };
  used: HostUsage;
  joinedAt: Date;
  /** The last facts refused as implausible, and when (the row kept the previous ones). */
  factsRefused: { message: Message; at: Date } | null;
  /** Its cluster (clusters.list names it and gives its kind); null: none, it takes servers and desktops. */
  clusterId: number | null;
}

export function toHostView(
  h: HostRow,
  usage: HostUsage | undefined,
  s: DomainSettings,
  now = new Date(),
): HostView {
  return {
    id: h.id,
    name: h.name,
    enabled: h.enabled,
    revokedAt: h.revokedAt,
    up: isHostUp(h.lastHeartbeatAt, now, s.hostDownAfterSeconds),
    heartbeatAgeSeconds: h.lastHeartbeatAt
      ? Math.max(0, Math.round((now.getTime() - h.lastHeartbeatAt.getTime()) / 1000))
      : null,
    accel: h.kvmUsable ? "kvm" : "tcg",
    facts: h.facts,
    consoleUrl: h.consoleUrl,
    capacity: {
      vcpus: Math.floor(h.cpuCount * s.cpuOvercommit),
      memoryMiB: Math.floor(h.memoryMiB * s.ramOvercommit),
    },
    used: usage ?? { vcpusUsed: 0, memoryMiBUsed: 0, instanceCount: 0 },
    joinedAt: h.joinedAt,
    factsRefused:
      h.factsRefused && h.factsRefusedAt ? { message: h.factsRefused, at: h.factsRefusedAt } : null,
    clusterId: h.clusterId,
  };
}

export async function listHosts(ctx: DomainContext): Promise<HostView[]> {
  requireActor(ctx);
  const [rows, usage] = await Promise.all([
    ctx.db.select().from(hosts).orderBy(asc(hosts.name)),
    readHostUsage(ctx.db),
  ]);
  return rows.map((h) => toHostView(h, usage.get(h.id), ctx.settings));
}

export async function setHostEnabled(
  ctx: DomainContext,
  input: { id: string; enabled: boolean },
): Promise<HostView> {
  requireActor(ctx);
  const [res] = await ctx.db.update(hosts).set({ enabled: input.enabled }).where(eq(hosts.id, input.id));
  if (res.affectedRows === 0) throw notFound("host");
  const row = (await ctx.db.select().from(hosts).where(eq(hosts.id, input.id)))[0]!;
  return toHostView(row, (await readHostUsage(ctx.db)).get(row.id), ctx.settings);
}

/**
 * The host behind an agent's Authorization header, or null. Read from the row on every request (no
 * cache), so a revocation or a rotation refuses the old credential from the next request on. A disabled
 * host still authenticates: it runs what it has, it only gets nothing new.
 */
export async function authenticateHost(db: Database, header: string | null): Promise<HostRow | null> {
  const creds = parseHostAuthHeader(header);
  if (!creds) return null;
  const [row] = await db.select().from(hosts).where(eq(hosts.id, creds.hostId));
  return row && !row.revokedAt && secretMatches(creds.secret, row.secretHash) ? row : null;
}
