import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import type { JobPayload, NicSpec } from "@/agents/protocol";
import {
  flavors,
  hostImages,
  hosts,
  instances,
  networkHosts,
  networks,
  type IpAddressRow,
  type NetworkRow,
} from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { isHostUp, readHostUsage } from "../hosts/find-hosts";
import { findVisibleImage } from "../images/find-images";
import { allocateInLockedNetwork, lockNetwork } from "../networks/ipam";
import { buildNetworkSpec } from "../networks/network-specs";
import { noHostFits, pickHost, type HostCandidate } from "../scheduler/pick-host";
import { getInstance, type InstanceView } from "./find-instances";
import { recordInstanceEvent } from "./record-event";
import type { createInstanceInput } from "./schemas";
import { msg } from "@/common/message";

const GiB = 1024 ** 3;

/**
 * Places the instance and reserves its capacity in one transaction that locks every host row (in id
 * order, so concurrent creates queue up instead of deadlocking): two requests can never both take the
 * last free RAM of a host. Then hands the build to the host's agent and returns at once.
 */
export async function createInstance(
  ctx: DomainContext,
  input: z.output<typeof createInstanceInput>,
): Promise<InstanceView> {
  const actor = requireActor(ctx);
  const image = await findVisibleImage(ctx, input.imageId);
  const [flavor] = await ctx.db.select().from(flavors).where(eq(flavors.id, input.flavorId));
  if (!flavor) throw notFound("flavor");
  if (image.sourceFormat === "iso") {
    throw new DomainError("INVALID", msg("instances.isoNotDisk", { image: image.name }), {
      imageId: msg("field.isoNotDisk"),
    });
  }
  if (flavor.diskGiB < image.minDiskGiB) {
    throw new DomainError(
      "INVALID",
      msg("instances.diskTooSmallForImage", {
        image: image.name,
        minGiB: image.minDiskGiB,
        flavorGiB: flavor.diskGiB,
      }),
      { flavorId: msg("field.flavorTooSmall") },
    );
  }
  if (flavor.memoryMiB < image.minRamMiB) {
    throw new DomainError(
      "INVALID",
      msg("instances.ramTooSmallForImage", {
        image: image.name,
        minMiB: image.minRamMiB,
        flavorMiB: flavor.memoryMiB,
      }),
      { flavorId: msg("field.flavorTooLittleRam") },
    );
  }
  if (flavor.diskGiB * GiB < image.virtualSizeBytes) {
    throw new DomainError(
      "INVALID",
      msg("instances.diskSmallerThanImage", {
        flavorGiB: flavor.diskGiB,
        imageGiB: Math.ceil(image.virtualSizeBytes / GiB),
      }),
      { flavorId: msg("field.flavorTooSmall") },
    );
  }
  if (input.groupId !== undefined && actor.role !== "superAdm" && !actor.groupIds.includes(input.groupId)) {
    throw new DomainError("INVALID", msg("auth.notMemberOfGroup"), {
      groupId: msg("field.notYourGroup"),
    });
  }
  const groupId = input.groupId ?? actor.groupIds[0] ?? null;
  const id = randomUUID();

  const wanted = [...new Set(input.nics.map((n) => n.networkId))];
  const nets = wanted.length ? await ctx.db.select().from(networks).where(inArray(networks.id, wanted)) : [];
  for (const nic of input.nics) {
    const n = nets.find((x) => x.id === nic.networkId);
    if (!n)
      throw new DomainError("INVALID", msg("instances.unknownNetwork"), {
        nics: msg("field.unknownNetwork"),
      });
    if (n.kind === "infrastructure" && actor.role !== "superAdm")
      throw new DomainError("FORBIDDEN", msg("instances.infrastructureNetwork", { network: n.name }));
  }
  const carriers = await ctx.db
    .select()
    .from(networkHosts)
    .where(wanted.length ? inArray(networkHosts.networkId, wanted) : sql`false`);
  const missingOn = (hostId: string) =>
    nets
      .filter((n) => !n.allHosts && !carriers.some((c) => c.networkId === n.id && c.hostId === hostId))
      .map((n) => n.name);

  const placement = await ctx.db.transaction(
    async (tx) => {
      const hostRows = await tx.select().from(hosts).orderBy(asc(hosts.id)).for("update");
      const usage = await readHostUsage(tx);
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
        up: isHostUp(h.lastHeartbeatAt, now, ctx.settings.hostDownAfterSeconds),
        cpuCount: h.cpuCount,
        memoryMiB: h.memoryMiB,
        vcpusUsed: usage.get(h.id)?.vcpusUsed ?? 0,
        memoryMiBUsed: usage.get(h.id)?.memoryMiBUsed ?? 0,
        hypervisors: h.facts.hypervisors.filter((x) => x.available).map((x) => x.kind),
        hasImageCached: cached.has(h.id),
        missingNetworks: missingOn(h.id),
      }));
      const p = pickHost(
        candidates,
        { vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB, hypervisor: "qemu" },
        {
          cpuOvercommit: ctx.settings.cpuOvercommit,
          ramOvercommit: ctx.settings.ramOvercommit,
          strategy: ctx.settings.schedulerStrategy,
        },
      );
      if (!p.ok) throw noHostFits(p.reasons);
      await tx.insert(instances).values({
        id,
        name: input.name,
        ownerId: actor.id,
        groupId,
        flavorId: flavor.id,
        imageId: image.id,
        vcpus: flavor.vcpus,
        memoryMiB: flavor.memoryMiB,
        diskGiB: flavor.diskGiB,
        hostId: p.hostId,
        state: "SCHEDULED",
        task: "creating",
        progress: 0,
        opSeq: 1,
      });
      await recordInstanceEvent(tx, {
        instanceId: id,
        kind: "action",
        message: msg("events.createRequested", { user: actor.username }),
        toState: "PENDING",
        actorId: actor.id,
      });
      await recordInstanceEvent(tx, {
        instanceId: id,
        kind: "state",
        message: msg("events.scheduled", { host: p.hostName }),
        fromState: "PENDING",
        toState: "SCHEDULED",
      });
      // Addresses in the same transaction: a full network or an expired subnet undoes the placement too.
      // Networks are locked in id order (after the hosts), like every other path that locks several.
      const locked = new Map<string, NetworkRow>();
      for (const nid of [...wanted].sort()) locked.set(nid, await lockNetwork(tx, nid));
      const addresses: IpAddressRow[] = [];
      for (const [nicIndex, nic] of input.nics.entries()) {
        addresses.push(
          await allocateInLockedNetwork(tx, {
            network: locked.get(nic.networkId)!,
            kind: "instance",
            ownerId: actor.id,
            label: null,
            subnetId: nic.subnetId,
            instanceId: id,
            nicIndex,
          }),
        );
      }
      if (wanted.length)
        await tx
          .update(networks)
          .set({ revision: sql`${networks.revision} + 1` })
          .where(inArray(networks.id, wanted));
      return { ...p, addresses };
    },
    { isolationLevel: "read committed" },
  );

  // Specs are read after the commit, so they include this instance's reservations.
  const nics: NicSpec[] = [];
  for (const a of placement.addresses) {
    const [network] = await ctx.db.select().from(networks).where(eq(networks.id, a.networkId));
    nics.push({
      tap: a.tap!,
      mac: a.mac,
      ip: a.ip,
      network: await buildNetworkSpec(ctx.db, network!, placement.hostId),
    });
  }

  const job: JobPayload<"instance.create"> = {
    instanceId: id,
    name: input.name,
    vcpus: flavor.vcpus,
    memoryMiB: flavor.memoryMiB,
    diskGiB: flavor.diskGiB,
    image: {
      id: image.id,
      sha256: image.sha256,
      format: image.format,
      sizeBytes: image.sizeBytes,
      url: `${ctx.settings.portalUrl.replace(/\/$/, "")}/api/v1/agent/images/${image.id}/content`,
    },
    nics,
  };
  try {
    await ctx.jobs.enqueue(placement.hostId, "instance.create", job, `create-${id}-1`);
  } catch {
    // Nothing reached the host: give the reservation (and its addresses) back rather than leave a phantom.
    await ctx.db.delete(instances).where(eq(instances.id, id));
    throw new DomainError("UNAVAILABLE", msg("unavailable.agentQueueNothingCreated"));
  }
  return getInstance(ctx, id);
}
