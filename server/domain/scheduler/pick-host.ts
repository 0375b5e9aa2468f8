// Pure placement: filters say which hosts can take the instance (and why not), weights rank the rest.

export interface HostCandidate {
  id: string;
  name: string;
  enabled: boolean;
  up: boolean;
  cpuCount: number;
  memoryMiB: number;
  vcpusUsed: number;
  memoryMiBUsed: number;
  /** Hypervisors usable on the host, preferred first (from its facts). */
  hypervisors: string[];
  hasImageCached: boolean;
  /** Names of requested networks this host does not carry (empty: it carries them all). */
  missingNetworks?: string[];
}

export interface PlacementRequest {
  vcpus: number;
  memoryMiB: number;
  /** A hypervisor the instance needs; without one, any the host can run (the host's first is used). */
  hypervisor?: string;
}

export interface PlacementPolicy {
  cpuOvercommit: number;
  ramOvercommit: number;
  strategy: "spread" | "pack";
}

export type Placement =
  | { ok: true; hostId: string; hostName: string; hypervisor: string }
  | { ok: false; reasons: { host: string; reason: string }[] };

export function rejectReason(h: HostCandidate, req: PlacementRequest, p: PlacementPolicy): string | null {
  if (!h.enabled) return "disabled by an administrator";
  if (!h.up) return "down (no recent heartbeat)";
  if (req.hypervisor ? !h.hypervisors.includes(req.hypervisor) : h.hypervisors.length === 0)
    return req.hypervisor ? `has no ${req.hypervisor} hypervisor` : "has no usable hypervisor";
  if (h.missingNetworks?.length)
    return `does not carry the network${h.missingNetworks.length > 1 ? "s" : ""} ${h.missingNetworks.join(", ")}`;
  const cpuCap = Math.floor(h.cpuCount * p.cpuOvercommit);
  if (h.vcpusUsed + req.vcpus > cpuCap)
    return `not enough vCPUs (${cpuCap - h.vcpusUsed} of ${cpuCap} free, ${req.vcpus} needed)`;
  const ramCap = Math.floor(h.memoryMiB * p.ramOvercommit);
  if (h.memoryMiBUsed + req.memoryMiB > ramCap)
    return `not enough RAM (${ramCap - h.memoryMiBUsed} of ${ramCap} MiB free, ${req.memoryMiB} MiB needed)`;
  return null;
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
    return { ok: false, reasons: [{ host: "—", reason: "no host has joined yet" }] };
  const reasons: { host: string; reason: string }[] = [];
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
  return best
    ? {
        ok: true,
        hostId: best.h.id,
        hostName: best.h.name,
        hypervisor: req.hypervisor ?? best.h.hypervisors[0]!,
      }
    : { ok: false, reasons };
}

export function describeNoHost(reasons: { host: string; reason: string }[]): string {
  return `No host fits: ${reasons.map((r) => `${r.host}: ${r.reason}`).join("; ")}.`;
}
