// Placement of a batch of instances in one transaction, against per-host usage rows (host_usage, kept by
// triggers) rather than a sum over every instance. First optimistically: plan on the rows as read, then
// lock only the usage rows of the hosts chosen and check they still have room. If another placement took
// that room meanwhile, start again locking the usage rows of every host that could take an instance at
// all. Both ways lock in host id order, so placements queue instead of deadlocking, and two of them can
// never both take the last free RAM of a host. Host rows themselves are never locked (heartbeats write
// them).
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { hostTakes, type ClusterKind } from "@/common/clusters";
import {
  DEFAULT_HYPERVISOR,
  hypervisorKindSchema,
  type Hardware,
  type HypervisorKind,
} from "@/agents/protocol";
import type { InstanceKind } from "@/common/instance-states";
import {
  clusters,
  hostImages,
  hostUsage,
  hosts,
  instances,
  networkHosts,
  networks,
  type IpAddressRow,
  type NetworkRow,
} from "@/db/schema";
import type { Database } from "@/server/db/client";
import type { Actor, DomainSettings } from "../context";
import { assertNotInAdminMode, lockProfile } from "./profile-lock";
import { msg } from "@/common/message";
import { isHostUp } from "../hosts/find-hosts";
import { recordInstanceEvent } from "../instances/record-event";
import { reserveQuota } from "../quotas/reserve-quota";
import { allocateInLockedNetwork, lockNetwork } from "../networks/ipam";
import {
  noHostFits,
  pickHost,
  rejectReason,
  type HostCandidate,
  type PlacementPolicy,
  type PlacementRequest,
} from "../scheduler/pick-host";

export interface PlacementItem {
  id: string;
  name: string;
  ownerId: number;
}

export interface PlacementBatch {
  items: PlacementItem[];
  groupId: number | null;
  flavor: { id: number; vcpus: number; memoryMiB: number; diskGiB: number };
  image: { id: string; sha256: string };
  /** NICs in guest order, the same for every instance of the batch. */
  nics: { networkId: string; subnetId?: number }[];
  /** Set when the batch is one of a class's deployments ("one per member"), removed together later. */
  batchId?: string;
  /** The group's catalogue restricts it to these hosts (the others are refused with the group's name). */
  allowedHosts?: { ids: ReadonlySet<string>; group: string } | null;
  /** Who asked (the timeline's "Create requested by …"); a subnet named by a NIC must be theirs to use. */
  requestedBy: Actor;
  // ---- desktops and admin mode (docs/labs.md): copied onto every row of the batch (left out: a server);
  // a desktop counts against the group, not its owner
  kind?: InstanceKind;
  profileId?: number;
  profileVersion?: number;
  poolId?: number;
  throwaway?: boolean;
  hardware?: Hardware | null;
}

export interface PlacedInstance {
  id: string;
  hostId: string;
  hostName: string;
  /** What the host will build the VM with (it travels in the create job). */
  hypervisor: HypervisorKind;
  addresses: IpAddressRow[];
}

/**
 * Places every item of the batch or none: if one does not fit, nothing is created and the error gives
 * each host's reason as it stood when that item was tried (with the batch's earlier items counted).
 */
export async function placeInstances(
  db: Database,
  settings: DomainSettings,
  batch: PlacementBatch,
): Promise<PlacedInstance[]> {
  const { flavor, image } = batch;
  const wanted = [...new Set(batch.nics.map((n) => n.networkId))];
  const nets = wanted.length ? await db.select().from(networks).where(inArray(networks.id, wanted)) : [];
  const carriers = wanted.length
    ? await db.select().from(networkHosts).where(inArray(networkHosts.networkId, wanted))
    : [];
  const missingOn = (hostId: string) =>
    nets
      .filter((n) => !n.allHosts && !carriers.some((c) => c.networkId === n.id && c.hostId === hostId))
      .map((n) => n.name);
  const policy: PlacementPolicy = {
    cpuOvercommit: settings.cpuOvercommit,
    ramOvercommit: settings.ramOvercommit,
    diskOvercommit: settings.diskOvercommit,
    strategy: settings.schedulerStrategy,
  };
  const request: PlacementRequest = {
    vcpus: flavor.vcpus,
    memoryMiB: flavor.memoryMiB,
    diskGiB: flavor.diskGiB,
    kind: batch.kind ?? "server",
  };

  const attempt = (mode: "optimistic" | "locked") =>
    db.transaction(
      async (tx) => {
        // No desktop of a profile starts while it is in admin mode: decided under the profile's lock, in
        // the transaction that creates the rows (profile-lock.ts), before any quota or host lock.
        if (batch.kind === "desktop" && batch.profileId !== undefined)
          assertNotInAdminMode(await lockProfile(tx, batch.profileId));
        // Quota first (its locks come before every host's and network's): the batch counts whole. A
        // desktop counts against its group only (the lab's), never its owner (whoever started the pool).
        const each = {
          instances: 1,
          vcpus: flavor.vcpus,
          ramMiB: flavor.memoryMiB,
          diskGiB: flavor.diskGiB,
          ipAddresses: batch.nics.length,
        };
        const desktops = batch.kind === "desktop";
        await reserveQuota(tx, {
          owners: desktops ? [] : batch.items.map((item) => ({ ownerId: item.ownerId, add: each })),
          groupId: batch.groupId,
          groupAdd: desktops
            ? Object.fromEntries(Object.entries(each).map(([k, v]) => [k, v * batch.items.length]))
            : undefined,
          requestedBy: batch.requestedBy.id,
        });
        // Host rows and their usage, read without locks: "reading their rows" is the whole cost.
        const hostRows = await tx
          .select({
            id: hosts.id,
            name: hosts.name,
            enabled: hosts.enabled,
            cpuCount: hosts.cpuCount,
            memoryMiB: hosts.memoryMiB,
            diskFreeBytes: hosts.diskFreeBytes,
            lastHeartbeatAt: hosts.lastHeartbeatAt,
            hypervisors: sql<unknown>`JSON_EXTRACT(${hosts.facts}, '$.hypervisors')`,
            vcpusUsed: hostUsage.vcpusUsed,
            memoryMiBUsed: hostUsage.memoryMiBUsed,
            diskGiBUsed: hostUsage.diskGiBUsed,
            clusterName: clusters.name,
            clusterKind: clusters.kind,
            localMode: reportsLocalMode,
          })
          .from(hosts)
          .leftJoin(hostUsage, eq(hostUsage.hostId, hosts.id))
          .leftJoin(clusters, eq(clusters.id, hosts.clusterId))
          // A revoked host is out of the cluster until it re-joins: not even a candidate.
          .where(isNull(hosts.revokedAt))
          .orderBy(asc(hosts.id));
        const cached = new Set(
          (
            await tx
              .select({ hostId: hostImages.hostId })
              .from(hostImages)
              .where(and(eq(hostImages.sha256, image.sha256), eq(hostImages.state, "cached")))
          ).map((r) => r.hostId),
        );
        const now = new Date();
        const candidates: HostCandidate[] = hostRows.map((h) => ({
          id: h.id,
          name: h.name,
          enabled: h.enabled,
          up: isHostUp(h.lastHeartbeatAt, now, settings.hostDownAfterSeconds),
          cpuCount: h.cpuCount,
          memoryMiB: h.memoryMiB,
          vcpusUsed: h.vcpusUsed ?? 0,
          memoryMiBUsed: h.memoryMiBUsed ?? 0,
          diskFreeBytes: h.diskFreeBytes,
          diskGiBUsed: h.diskGiBUsed ?? 0,
          hypervisors: offeredHypervisors(h.hypervisors),
          hasImageCached: cached.has(h.id),
          missingNetworks: missingOn(h.id),
          outsideGroupHosts:
            batch.allowedHosts && !batch.allowedHosts.ids.has(h.id) ? batch.allowedHosts.group : undefined,
          cluster: h.clusterName && h.clusterKind ? { name: h.clusterName, kind: h.clusterKind } : null,
          localMode: !!Number(h.localMode),
        }));

        if (mode === "locked") {
          // Lock every host that could take an instance at all, in id order, and plan on their usage as
          // locked (others' reasons do not depend on usage).
          const open = candidates.filter(
            (c) => rejectReason(c, { ...request, vcpus: 0, memoryMiB: 0, diskGiB: 0 }, policy) === null,
          );
          const fresh = await lockUsage(
            tx,
            open.map((c) => c.id),
          );
          // A host moved between clusters holds its usage row while it moves (set-host-cluster.ts): read
          // under these locks, the clusters are as they are now and cannot change until we commit.
          const now = await readClusters(
            tx,
            open.map((c) => c.id),
          );
          for (const c of open) {
            const kind = now.get(c.id);
            Object.assign(c, fresh.get(c.id), {
              cluster: kind?.cluster ?? null,
              localMode: !!kind?.localMode,
            });
          }
        }
        const placed = planBatch(candidates, batch, request, policy);
        if (mode === "optimistic") {
          // Lock only the hosts chosen (in id order) and check that what they hold now still leaves room
          // for their share of the batch; if another placement got there first, start again locked.
          const share = new Map<string, number>();
          for (const p of placed) share.set(p.hostId, (share.get(p.hostId) ?? 0) + 1);
          const fresh = await lockUsage(tx, [...share.keys()]);
          for (const [hostId, n] of share) {
            const host = { ...candidates.find((c) => c.id === hostId)!, ...fresh.get(hostId) };
            const need = {
              vcpus: flavor.vcpus * n,
              memoryMiB: flavor.memoryMiB * n,
              diskGiB: flavor.diskGiB * n,
            };
            if (rejectReason(host, need, policy) !== null) throw new Contended();
          }
          // The read above took no lock: a host moved to a cluster of another kind meanwhile (it holds the
          // usage row while moving, so now we see the move), or one that reported local mode since, is
          // contention too.
          const kinds = await readClusters(tx, [...share.keys()]);
          for (const hostId of share.keys()) {
            const k = kinds.get(hostId);
            const host = { cluster: k?.cluster?.kind ?? null, localMode: !!k?.localMode };
            if (!hostTakes(host, request.kind ?? "server")) throw new Contended();
          }
        }

        await tx.insert(instances).values(
          batch.items.map((item, i) => ({
            id: item.id,
            name: item.name,
            ownerId: item.ownerId,
            groupId: batch.groupId,
            batchId: batch.batchId ?? null,
            flavorId: flavor.id,
            imageId: image.id,
            vcpus: flavor.vcpus,
            memoryMiB: flavor.memoryMiB,
            diskGiB: flavor.diskGiB,
            hostId: placed[i]!.hostId,
            state: "SCHEDULED" as const,
            task: "creating",
            progress: 0,
            opSeq: 1,
            kind: batch.kind ?? "server",
            profileId: batch.profileId ?? null,
            profileVersion: batch.profileVersion ?? null,
            poolId: batch.poolId ?? null,
            throwaway: batch.throwaway ?? false,
            hardware: batch.hardware ?? null,
          })),
        );
        for (const p of placed) {
          await recordInstanceEvent(tx, {
            instanceId: p.id,
            kind: "action",
            message: msg("events.createRequested", { user: batch.requestedBy.username }),
            toState: "PENDING",
            actorId: batch.requestedBy.id,
          });
          await recordInstanceEvent(tx, {
            instanceId: p.id,
            kind: "state",
            message: msg("events.scheduled", { host: p.hostName }),
            fromState: "PENDING",
            toState: "SCHEDULED",
          });
        }

        // Addresses in the same transaction: a full network or an expired subnet undoes the placement too.
        // Networks are locked in id order (after the hosts' usage), like every other path that locks several.
        const locked = new Map<string, NetworkRow>();
        for (const nid of [...wanted].sort()) locked.set(nid, await lockNetwork(tx, nid));
        const result: PlacedInstance[] = [];
        for (const [i, p] of placed.entries()) {
          const addresses: IpAddressRow[] = [];
          for (const [nicIndex, nic] of batch.nics.entries()) {
            addresses.push(
              await allocateInLockedNetwork(tx, {
                network: locked.get(nic.networkId)!,
                kind: "instance",
                ownerId: batch.items[i]!.ownerId,
                label: null,
                subnetId: nic.subnetId,
                usedBy: batch.requestedBy,
                instanceId: p.id,
                nicIndex,
              }),
            );
          }
          result.push({ ...p, addresses });
        }
        if (wanted.length)
          await tx
            .update(networks)
            .set({ revision: sql`${networks.revision} + 1` })
            .where(inArray(networks.id, wanted));
        return result;
      },
      { isolationLevel: "read committed" },
    );

  try {
    return await attempt("optimistic");
  } catch (err) {
    if (!(err instanceof Contended)) throw err;
    return attempt("locked");
  }
}

/** The optimistic plan met a host that filled up meanwhile (its transaction is rolled back). */
class Contended extends Error {}

/** Locks these hosts' usage rows in id order (the order every placement locks them in) and reads them. */
async function lockUsage(
  tx: Pick<Database, "select">,
  hostIds: string[],
): Promise<Map<string, { vcpusUsed: number; memoryMiBUsed: number; diskGiBUsed: number }>> {
  if (!hostIds.length) return new Map();
  const rows = await tx
    .select({
      hostId: hostUsage.hostId,
      vcpusUsed: hostUsage.vcpusUsed,
      memoryMiBUsed: hostUsage.memoryMiBUsed,
      diskGiBUsed: hostUsage.diskGiBUsed,
    })
    .from(hostUsage)
    .where(inArray(hostUsage.hostId, hostIds))
    .orderBy(asc(hostUsage.hostId))
    .for("update");
  return new Map(rows.map(({ hostId, ...u }) => [hostId, u]));
}

/** 1 when the host's facts say its agent runs in local mode (a lab PC), else 0. */
const reportsLocalMode = sql<number>`COALESCE(JSON_EXTRACT(${hosts.facts}, '$.localMode') = 'true', 0)`;

/** The clusters of these hosts as committed now (null: in none), and whether each reports local mode. */
async function readClusters(
  tx: Pick<Database, "select">,
  hostIds: string[],
): Promise<Map<string, { cluster: { name: string; kind: ClusterKind } | null; localMode: boolean }>> {
  if (!hostIds.length) return new Map();
  const rows = await tx
    .select({ hostId: hosts.id, name: clusters.name, kind: clusters.kind, localMode: reportsLocalMode })
    .from(hosts)
    .leftJoin(clusters, eq(clusters.id, hosts.clusterId))
    .where(inArray(hosts.id, hostIds));
  return new Map(
    rows.map((r) => [
      r.hostId,
      {
        cluster: r.name !== null && r.kind !== null ? { name: r.name, kind: r.kind } : null,
        localMode: !!Number(r.localMode),
      },
    ]),
  );
}

/** Each item is placed against the usage the batch's earlier items left; all fit or the batch fails. */
function planBatch(
  candidates: HostCandidate[],
  batch: PlacementBatch,
  request: PlacementRequest,
  policy: PlacementPolicy,
): Omit<PlacedInstance, "addresses">[] {
  const hosts = candidates.map((c) => ({ ...c }));
  const placed: Omit<PlacedInstance, "addresses">[] = [];
  for (const [i, item] of batch.items.entries()) {
    const p = pickHost(hosts, request, policy);
    if (!p.ok) {
      throw noHostFits(
        p.reasons,
        batch.items.length > 1 ? { placed: i, total: batch.items.length } : undefined,
        p.noHostOfKind,
      );
    }
    const host = hosts.find((c) => c.id === p.hostId)!;
    host.vcpusUsed += request.vcpus;
    host.memoryMiBUsed += request.memoryMiB;
    host.diskGiBUsed += request.diskGiB;
    // The kind is one of the host's offered ones (offeredHypervisors), so it parsed as a HypervisorKind.
    placed.push({
      id: item.id,
      hostId: p.hostId,
      hostName: p.hostName,
      hypervisor: p.hypervisor as HypervisorKind,
    });
  }
  return placed;
}

/**
 * The hypervisors a host offers (its facts' JSON), the default first where offered: placement uses the
 * first, so hosts that offer qemu keep getting qemu VMs until images or flavors ask for something else.
 */
function offeredHypervisors(json: unknown): HypervisorKind[] {
  const list = (typeof json === "string" ? JSON.parse(json) : json) as
    { kind: string; available: boolean }[] | null;
  const kinds = (list ?? [])
    .filter((x) => x.available)
    .flatMap((x) => {
      const kind = hypervisorKindSchema.safeParse(x.kind);
      return kind.success ? [kind.data] : [];
    });
  return kinds.includes(DEFAULT_HYPERVISOR)
    ? [DEFAULT_HYPERVISOR, ...kinds.filter((k) => k !== DEFAULT_HYPERVISOR)]
    : kinds;
}
