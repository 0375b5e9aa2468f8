// Placement of a batch of instances in one transaction. The locks are the usage rows of the hosts that
// could take an instance at all (enabled, up, with a hypervisor and the requested networks), in id order,
// so concurrent placements queue up instead of deadlocking and two of them can never both take the last
// free RAM of a host. The cost is reading the host rows and those usage rows: no instance is summed.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import {
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
import type { DomainSettings } from "../context";
import { DomainError } from "../errors";
import { isHostUp } from "../hosts/find-hosts";
import { recordInstanceEvent } from "../instances/record-event";
import { allocateInLockedNetwork, lockNetwork } from "../networks/ipam";
import {
  describeNoHost,
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
  /** Who asked (the timeline's "Create requested by …"). */
  requestedBy: { id: number; username: string };
}

export interface PlacedInstance {
  id: string;
  hostId: string;
  hostName: string;
  hypervisor: string;
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
    strategy: settings.schedulerStrategy,
  };
  const request: PlacementRequest = { vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB };

  return db.transaction(
    async (tx) => {
      const hostRows = await tx
        .select({
          id: hosts.id,
          name: hosts.name,
          enabled: hosts.enabled,
          cpuCount: hosts.cpuCount,
          memoryMiB: hosts.memoryMiB,
          lastHeartbeatAt: hosts.lastHeartbeatAt,
          facts: hosts.facts,
        })
        .from(hosts)
        .orderBy(asc(hosts.id));
      const now = new Date();
      const candidates: HostCandidate[] = hostRows.map((h) => ({
        id: h.id,
        name: h.name,
        enabled: h.enabled,
        up: isHostUp(h.lastHeartbeatAt, now, settings.hostDownAfterSeconds),
        cpuCount: h.cpuCount,
        memoryMiB: h.memoryMiB,
        vcpusUsed: 0,
        memoryMiBUsed: 0,
        hypervisors: h.facts.hypervisors.filter((x) => x.available).map((x) => x.kind),
        hasImageCached: false,
        missingNetworks: missingOn(h.id),
      }));
      // Only hosts that could take the instance at all are locked; the others' reasons do not depend on
      // usage. Their usage is read under the lock, so it includes every placement committed before.
      const open = candidates.filter(
        (c) => rejectReason(c, { ...request, vcpus: 0, memoryMiB: 0 }, policy) === null,
      );
      if (open.length) {
        const usage = await tx
          .select()
          .from(hostUsage)
          .where(
            inArray(
              hostUsage.hostId,
              open.map((c) => c.id),
            ),
          )
          .orderBy(asc(hostUsage.hostId))
          .for("update");
        const cached = new Set(
          (
            await tx
              .select({ hostId: hostImages.hostId })
              .from(hostImages)
              .where(and(eq(hostImages.sha256, image.sha256), eq(hostImages.state, "cached")))
          ).map((r) => r.hostId),
        );
        const byId = new Map(usage.map((u) => [u.hostId, u]));
        for (const c of open) {
          c.vcpusUsed = byId.get(c.id)?.vcpusUsed ?? 0;
          c.memoryMiBUsed = byId.get(c.id)?.memoryMiBUsed ?? 0;
          c.hasImageCached = cached.has(c.id);
        }
      }

      // Each item is placed against the usage the batch's earlier items left.
      const placed: Omit<PlacedInstance, "addresses">[] = [];
      for (const [i, item] of batch.items.entries()) {
        const p = pickHost(candidates, request, policy);
        if (!p.ok) {
          const prefix =
            batch.items.length > 1
              ? `Only ${i} of the ${batch.items.length} instances fit; nothing was created. `
              : "";
          throw new DomainError("CONFLICT", `${prefix}${describeNoHost(p.reasons)}`);
        }
        const host = candidates.find((c) => c.id === p.hostId)!;
        host.vcpusUsed += flavor.vcpus;
        host.memoryMiBUsed += flavor.memoryMiB;
        placed.push({ id: item.id, hostId: p.hostId, hostName: p.hostName, hypervisor: p.hypervisor });
      }

      await tx.insert(instances).values(
        batch.items.map((item, i) => ({
          id: item.id,
          name: item.name,
          ownerId: item.ownerId,
          groupId: batch.groupId,
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
        })),
      );
      for (const p of placed) {
        await recordInstanceEvent(tx, {
          instanceId: p.id,
          kind: "action",
          message: `Create requested by ${batch.requestedBy.username}`,
          toState: "PENDING",
          actorId: batch.requestedBy.id,
        });
        await recordInstanceEvent(tx, {
          instanceId: p.id,
          kind: "state",
          message: `Scheduled on host ${p.hostName}`,
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
}
