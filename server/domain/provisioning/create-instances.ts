// Creating instances: check the request once, place the whole batch in one transaction
// (place-instances.ts), then hand each build to its host's agent and return at once.
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import type { Hardware, JobPayload, NicSpec } from "@/agents/protocol";
import type { InstanceKind } from "@/common/instance-states";
import { flavors, groups, instances, ipSubnets, networks, type NetworkRow } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { assertLaunchAllowed, readCatalogue } from "../groups/catalogue";
import { findVisibleImage } from "../images/find-images";
import { viewsOfCreated, type InstanceView } from "../instances/find-instances";
import type { createInstanceInput } from "../instances/schemas";
import { buildNetworkSpec } from "../networks/network-specs";
import { assertMayActOn } from "../policies/authorize";
import { placeInstances } from "./place-instances";
import { msg } from "@/common/message";

const GiB = 1024 ** 3;

export interface CreateInstancesInput {
  imageId: string;
  flavorId: number;
  groupId?: number;
  nics: { networkId: string; subnetId?: number }[];
  /**
   * One entry per instance. `ownerId` (default: the actor) lets a feature create machines for others,
   * e.g. one per student of a class; that feature decides whether the actor may, this function does not.
   */
  instances: { name: string; ownerId?: number; id?: string }[];
  /** Marks the instances as one class deployment (see PlacementBatch.batchId). */
  batchId?: string;
  /**
   * Desktops and admin mode (docs/labs.md): the kind, the profile version the disk is made from, the
   * pool, snapshot mode and the guest hardware, written on the rows. The profile decided what may run,
   * not the catalogue. `id` on an item: a caller that reserved the id under its own lock (admin mode
   * names its instance on the profile before placing it).
   */
  kind?: InstanceKind;
  profileId?: number;
  profileVersion?: number;
  poolId?: number;
  throwaway?: boolean;
  hardware?: Hardware | null;
}

/** One instance: a batch of one. */
export async function createInstance(
  ctx: DomainContext,
  input: z.output<typeof createInstanceInput>,
): Promise<InstanceView> {
  const [view] = await createInstances(ctx, { ...input, instances: [{ name: input.name }] });
  return view!;
}

/**
 * Creates N instances of the same image, flavor and networks with one placement: all of them fit (and
 * are created) or none is. A batch takes the placement locks once, however large it is.
 */
export async function createInstances(
  ctx: DomainContext,
  input: CreateInstancesInput,
): Promise<InstanceView[]> {
  const actor = requireActor(ctx);
  if (input.instances.length === 0) return [];
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
  // A desktop's image, flavor and network are its profile's, which the group's admins chose for its labs:
  // the catalogue (what members may launch by hand) does not apply, its host restriction does.
  const fromProfile = input.kind === "desktop" || input.kind === "admin";
  const catalogue =
    fromProfile && groupId !== null
      ? await readCatalogue(ctx.db, groupId)
      : fromProfile
        ? null
        : await assertLaunchAllowed(ctx.db, actor, groupId, {
            image,
            flavor,
            networkIds: input.nics.map((n) => n.networkId),
          });

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
  // A NIC may take its address from a carved subnet only if the actor may use that subnet (the ipam
  // policy: its carver or a superAdm); refused before anything is placed. IPAM checks again under lock.
  const subnetIds = [...new Set(input.nics.flatMap((n) => (n.subnetId === undefined ? [] : [n.subnetId])))];
  const subnets = subnetIds.length
    ? await ctx.db.select().from(ipSubnets).where(inArray(ipSubnets.id, subnetIds))
    : [];
  for (const nic of input.nics) {
    if (nic.subnetId === undefined) continue;
    const sub = subnets.find((x) => x.id === nic.subnetId);
    if (!sub || sub.networkId !== nic.networkId)
      throw new DomainError(
        "INVALID",
        msg("networks.noSuchSubnet", { network: nets.find((x) => x.id === nic.networkId)!.name }),
        { subnetId: msg("field.notSubnetOfNetwork") },
      );
    assertMayActOn(actor, "ipam", sub);
  }

  // A group restricted to some hosts places only there (superAdm's launches in the group too).
  const allowedHosts = catalogue?.hostIds
    ? {
        ids: catalogue.hostIds,
        group:
          (await ctx.db.select({ name: groups.name }).from(groups).where(eq(groups.id, catalogue.groupId)))[0]
            ?.name ?? String(catalogue.groupId),
      }
    : null;

  const items = input.instances.map((i) => ({
    id: i.id ?? randomUUID(),
    name: i.name,
    ownerId: i.ownerId ?? actor.id,
  }));
  const placed = await placeInstances(ctx.db, ctx.settings, {
    items,
    groupId,
    flavor,
    image,
    nics: input.nics,
    batchId: input.batchId,
    allowedHosts,
    requestedBy: actor,
    kind: input.kind,
    profileId: input.profileId,
    profileVersion: input.profileVersion,
    poolId: input.poolId,
    throwaway: input.throwaway,
    hardware: input.hardware,
  });

  // Specs are read after the commit, so they include this batch's reservations (one read per network
  // and host, however many instances share them).
  const specs = new Map<string, Promise<NicSpec["network"]>>();
  const networkRows = new Map<string, Promise<NetworkRow | undefined>>();
  const specOf = (networkId: string, hostId: string) => {
    const key = `${networkId}/${hostId}`;
    if (!specs.has(key)) {
      if (!networkRows.has(networkId))
        networkRows.set(
          networkId,
          ctx.db
            .select()
            .from(networks)
            .where(eq(networks.id, networkId))
            .then((r) => r[0]),
        );
      specs.set(
        key,
        networkRows.get(networkId)!.then((network) => buildNetworkSpec(ctx.db, network!, hostId)),
      );
    }
    return specs.get(key)!;
  };

  const imageRef = {
    id: image.id,
    sha256: image.sha256,
    format: image.format,
    sizeBytes: image.sizeBytes,
  };
  for (const [i, p] of placed.entries()) {
    const nics: NicSpec[] = [];
    for (const a of p.addresses)
      nics.push({ tap: a.tap!, mac: a.mac, ip: a.ip, network: await specOf(a.networkId, p.hostId) });
    const job: JobPayload<"instance.create"> = {
      instanceId: p.id,
      name: items[i]!.name,
      vcpus: flavor.vcpus,
      memoryMiB: flavor.memoryMiB,
      diskGiB: flavor.diskGiB,
      image: imageRef,
      // Chosen by placement from what the host offers; the agent builds the VM with that driver.
      hypervisor: p.hypervisor,
      nics,
      ...(input.hardware ? { hardware: input.hardware } : {}),
      throwaway: input.throwaway ?? false,
    };
    try {
      await ctx.jobs.enqueue(p.hostId, "instance.create", job, `create-${p.id}-1`);
    } catch {
      // Nothing reached the host for this one and the rest: give their reservations (and addresses) back
      // rather than leave phantoms. The ones already handed over are being built.
      const notSent = placed.slice(i).map((x) => x.id);
      await ctx.db.delete(instances).where(inArray(instances.id, notSent));
      throw new DomainError(
        "UNAVAILABLE",
        i === 0
          ? msg("unavailable.agentQueueNothingCreated")
          : msg("unavailable.agentQueueSomeCreated", { created: i, total: placed.length }),
      );
    }
  }
  return viewsOfCreated(
    ctx,
    placed.map((p) => p.id),
  );
}
