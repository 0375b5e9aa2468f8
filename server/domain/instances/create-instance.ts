import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { JobPayload } from "@/agents/protocol";
import { flavors, hostImages, hosts, instances } from "@/db/schema";
import { requireActor, type DomainContext } from "../context";
import { DomainError, notFound } from "../errors";
import { isHostUp, readHostUsage } from "../hosts/find-hosts";
import { findVisibleImage } from "../images/find-images";
import { describeNoHost, pickHost, type HostCandidate } from "../scheduler/pick-host";
import { getInstance, type InstanceView } from "./find-instances";
import { recordInstanceEvent } from "./record-event";
import type { createInstanceInput } from "./schemas";

const GiB = 1024 ** 3;

/**
 * Places the instance and reserves its capacity in one transaction that locks every host row (in id
 * order, so concurrent creates queue up instead of deadlocking): two requests can never both take the
 * last free RAM of a host. Then hands the build to the host's agent and returns at once.
 */
export async function createInstance(ctx: DomainContext, input: z.output<typeof createInstanceInput>): Promise<InstanceView> {
  const actor = requireActor(ctx);
  const image = await findVisibleImage(ctx, input.imageId);
  const [flavor] = await ctx.db.select().from(flavors).where(eq(flavors.id, input.flavorId));
  if (!flavor) throw notFound("The flavor");
  if (flavor.diskGiB * GiB < image.virtualSizeBytes) {
    throw new DomainError("INVALID", `The flavor's disk (${flavor.diskGiB} GiB) is smaller than the image (${Math.ceil(image.virtualSizeBytes / GiB)} GiB).`, { flavorId: "Too small for this image." });
  }
  if (input.groupId !== undefined && actor.role !== "superAdm" && !actor.groupIds.includes(input.groupId)) {
    throw new DomainError("INVALID", "You are not a member of that group.", { groupId: "Not one of your groups." });
  }
  const groupId = input.groupId ?? actor.groupIds[0] ?? null;
  const id = randomUUID();

  const placement = await ctx.db.transaction(async (tx) => {
    const hostRows = await tx.select().from(hosts).orderBy(asc(hosts.id)).for("update");
    const usage = await readHostUsage(tx);
    const cached = new Set((await tx.select({ hostId: hostImages.hostId }).from(hostImages).where(eq(hostImages.sha256, image.sha256))).map((r) => r.hostId));
    const now = new Date();
    const candidates: HostCandidate[] = hostRows.map((h) => ({
      id: h.id, name: h.name, enabled: h.enabled, up: isHostUp(h.lastHeartbeatAt, now, ctx.settings.hostDownAfterSeconds),
      cpuCount: h.cpuCount, memoryMiB: h.memoryMiB,
      vcpusUsed: usage.get(h.id)?.vcpusUsed ?? 0, memoryMiBUsed: usage.get(h.id)?.memoryMiBUsed ?? 0,
      hypervisors: h.facts.hypervisors.filter((x) => x.available).map((x) => x.kind), hasImageCached: cached.has(h.id),
    }));
    const p = pickHost(candidates, { vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB, hypervisor: "qemu" }, {
      cpuOvercommit: ctx.settings.cpuOvercommit, ramOvercommit: ctx.settings.ramOvercommit, strategy: ctx.settings.schedulerStrategy,
    });
    if (!p.ok) throw new DomainError("CONFLICT", describeNoHost(p.reasons));
    await tx.insert(instances).values({
      id, name: input.name, ownerId: actor.id, groupId, flavorId: flavor.id, imageId: image.id,
      vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB, diskGiB: flavor.diskGiB,
      hostId: p.hostId, state: "SCHEDULED", task: "creating", progress: 0, opSeq: 1,
    });
    await recordInstanceEvent(tx, { instanceId: id, kind: "action", message: `Create requested by ${actor.username}`, toState: "PENDING", actorId: actor.id });
    await recordInstanceEvent(tx, { instanceId: id, kind: "state", message: `Scheduled on host ${p.hostName}`, fromState: "PENDING", toState: "SCHEDULED" });
    return p;
  }, { isolationLevel: "read committed" });

  const job: JobPayload<"instance.create"> = {
    instanceId: id, name: input.name, vcpus: flavor.vcpus, memoryMiB: flavor.memoryMiB, diskGiB: flavor.diskGiB,
    image: {
      id: image.id, sha256: image.sha256, format: image.format, sizeBytes: image.sizeBytes,
      url: `${ctx.settings.portalUrl.replace(/\/$/, "")}/api/v1/agent/images/${image.id}/content`,
    },
  };
  try {
    await ctx.jobs.enqueue(placement.hostId, "instance.create", job, `create-${id}-1`);
  } catch {
    // Nothing reached the host: give the reservation back rather than leave a phantom instance.
    await ctx.db.delete(instances).where(eq(instances.id, id));
    throw new DomainError("UNAVAILABLE", "Could not hand the work to the host's agent (Redis is unreachable). Nothing was created; try again shortly.");
  }
  return getInstance(ctx, id);
}
