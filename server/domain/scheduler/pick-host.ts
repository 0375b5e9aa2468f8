// Pure placement: filters say which hosts can take the instance (and why not), weights rank the rest.
import { clusterKindFor, hostTakes, type ClusterKind } from "@/common/clusters";
import type { InstanceKind } from "@/common/instance-states";
import { msg, type Message } from "@/common/message";
import { DomainError } from "../errors";
import { renderEnglish } from "../render-english";

export interface HostCandidate {
  id: string;
  name: string;
  enabled: boolean;
  up: boolean;
  cpuCount: number;
  memoryMiB: number;
  vcpusUsed: number;
  memoryMiBUsed: number;
  /** What the host last reported free where it keeps VM disks (bytes). */
  diskFreeBytes: number;
  /** Flavor disk GiB its live instances hold (host_usage). */
  diskGiBUsed: number;
  /** Hypervisors usable on the host, preferred first (from its facts). */
  hypervisors: string[];
  hasImageCached: boolean;
  /** Names of requested networks this host does not carry (empty: it carries them all). */
  missingNetworks?: string[];
  /** Set when the launch's group is restricted to some hosts and this is not one: the group's name. */
  outsideGroupHosts?: string;
  /** The host's cluster (null or left out: none, it takes servers and remote desktops alike). */
  cluster?: { name: string; kind: ClusterKind } | null;
  /** The host's agent reports local mode (a lab PC): it takes nothing, whatever its cluster. */
  localMode?: boolean;
}

export interface PlacementRequest {
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** A hypervisor the instance needs; without one, any the host can run (the host's first is used). */
  hypervisor?: string;
  /** What is placed (left out: a server); a host in a cluster takes only its cluster's kind. */
  kind?: InstanceKind;
}

export interface PlacementPolicy {
  cpuOvercommit: number;
  ramOvercommit: number;
  /** Flavor disk GiB per GiB reported free (thin provisioning): see diskCapacityGiB. */
  diskOvercommit: number;
  strategy: "spread" | "pack";
}

export type Placement =
  | { ok: true; hostId: string; hostName: string; hypervisor: string }
  | {
      ok: false;
      reasons: { host: string; reason: Message }[];
      /** Set when every host the caller may use is in a cluster of another kind: the kind that is missing. */
      noHostOfKind?: ClusterKind;
    };

/**
 * Why this host's kind does not take the instance — a lab PC in local mode, or a cluster of another
 * kind — or null when it does.
 */
function clusterRefusal(h: HostCandidate, req: PlacementRequest): Message | null {
  const kind = req.kind ?? "server";
  if (hostTakes({ cluster: h.cluster?.kind ?? null, localMode: !!h.localMode }, kind)) return null;
  if (h.localMode) return msg("scheduler.localModeHost");
  return msg("scheduler.wrongCluster", { cluster: h.cluster!.name, kind: h.cluster!.kind });
}

export function rejectReason(h: HostCandidate, req: PlacementRequest, p: PlacementPolicy): Message | null {
  if (h.outsideGroupHosts !== undefined) return msg("classes.hostNotAllowed", { group: h.outsideGroupHosts });
  const wrongCluster = clusterRefusal(h, req);
  if (wrongCluster) return wrongCluster;
  if (!h.enabled) return msg("scheduler.disabled");
  if (!h.up) return msg("scheduler.down");
  if (req.hypervisor ? !h.hypervisors.includes(req.hypervisor) : h.hypervisors.length === 0)
    return req.hypervisor
      ? msg("scheduler.noHypervisor", { hypervisor: req.hypervisor })
      : msg("scheduler.noUsableHypervisor");
  if (h.missingNetworks?.length)
    return msg("scheduler.missingNetworks", {
      count: h.missingNetworks.length,
      networks: h.missingNetworks.join(", "),
    });
  const cpuCap = Math.floor(h.cpuCount * p.cpuOvercommit);
  if (h.vcpusUsed + req.vcpus > cpuCap)
    return msg("scheduler.notEnoughCpu", { free: cpuCap - h.vcpusUsed, cap: cpuCap, needed: req.vcpus });
  const ramCap = Math.floor(h.memoryMiB * p.ramOvercommit);
  if (h.memoryMiBUsed + req.memoryMiB > ramCap)
    return msg("scheduler.notEnoughRam", {
      free: ramCap - h.memoryMiBUsed,
      cap: ramCap,
      needed: req.memoryMiB,
    });
  const diskCap = diskCapacityGiB(h, p);
  if (h.diskGiBUsed + req.diskGiB > diskCap)
    return msg("scheduler.notEnoughDisk", {
      free: Math.max(0, diskCap - h.diskGiBUsed),
      cap: diskCap,
      needed: req.diskGiB,
    });
  return null;
}

/**
 * Flavor disk GiB the host may hold in all: its reported free space times the thin-provisioning ratio.
 * The free space is taken as it is, not plus what the guests already hold: the portal does not know how
 * much of their disks the guests have written, and "free + held" would let every new disk that fits in
 * today's free space through, without bound, however many unwritten disks already count on that space.
 * What guests have written is thus counted twice (in diskGiBUsed and missing from the free space), which
 * errs on the safe side: a host whose guests really fill their disks stops getting new ones.
 */
export function diskCapacityGiB(h: Pick<HostCandidate, "diskFreeBytes">, p: PlacementPolicy): number {
  return Math.floor((h.diskFreeBytes / 1024 ** 3) * p.diskOvercommit);
}

/** Higher is better. Spread fills the emptiest host first, pack the fullest; a cached image adds a bonus. */
export function weighHost(h: HostCandidate, req: PlacementRequest, p: PlacementPolicy): number {
  const ramCap = h.memoryMiB * p.ramOvercommit;
  const freeAfter = (ramCap - h.memoryMiBUsed - req.memoryMiB) / ramCap;
  const fill = p.strategy === "spread" ? freeAfter : 1 - freeAfter;
  return fill + (h.hasImageCached ? 0.25 : 0);
}

export function pickHost(candidates: HostCandidate[], req: PlacementRequest, p: PlacementPolicy): Placement {
  if (candidates.length === 0)
    return { ok: false, reasons: [{ host: "—", reason: msg("scheduler.noHostJoined") }] };
  const reasons: { host: string; reason: Message }[] = [];
  let best: { h: HostCandidate; w: number } | null = null;
  for (const h of candidates) {
    const reason = rejectReason(h, req, p);
    if (reason) {
      reasons.push({ host: h.name, reason });
      continue;
    }
    const w = weighHost(h, req, p);
    if (!best || w > best.w || (w === best.w && h.name < best.h.name)) best = { h, w };
  }
  if (best)
    return {
      ok: true,
      hostId: best.h.id,
      hostName: best.h.name,
      hypervisor: req.hypervisor ?? best.h.hypervisors[0]!,
    };
  // "No host takes remote desktops" says more than a list of hosts each in the wrong cluster: the fix is
  // a cluster change, not more capacity. Hosts the group may not use do not count either way.
  const usable = candidates.filter((h) => h.outsideGroupHosts === undefined);
  // A lab PC in local mode is not "a cluster of another kind": its own reason in the list says more.
  const allWrongKind =
    usable.length > 0 && usable.every((h) => !h.localMode && clusterRefusal(h, req) !== null);
  return allWrongKind
    ? { ok: false, reasons, noHostOfKind: clusterKindFor(req.kind ?? "server") }
    : { ok: false, reasons };
}

/** English, for logs and tests; the portal renders the same reasons per host in the reader's language. */
export function describeNoHost(reasons: { host: string; reason: Message }[]): string {
  return renderEnglish(noHostFitsMessage(reasons));
}

function noHostFitsMessage(
  reasons: { host: string; reason: Message }[],
  batch?: { placed: number; total: number },
): Message {
  const details = reasons.map((r) => `${r.host}: ${renderEnglish(r.reason)}`).join("; ");
  return batch
    ? msg("scheduler.batchNoHostFits", { placed: batch.placed, total: batch.total, details })
    : msg("scheduler.noHostFits", { details });
}

/**
 * The refusal when nothing fits: one reason per host, each a message of its own (see DomainError.details).
 * `batch`: how many of a batch fitted before this one did not (nothing of the batch is created).
 */
export function noHostFits(
  reasons: { host: string; reason: Message }[],
  batch?: { placed: number; total: number },
  noHostOfKind?: ClusterKind,
): DomainError {
  return new DomainError(
    "CONFLICT",
    noHostOfKind ? msg("scheduler.noHostOfKind", { kind: noHostOfKind }) : noHostFitsMessage(reasons, batch),
    undefined,
    reasons.map((r) => ({ subject: r.host, message: r.reason })),
  );
}
