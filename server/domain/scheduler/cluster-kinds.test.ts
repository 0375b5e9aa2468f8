// Clusters by kind (issue 14, B2), the pure part: which host takes which instance, and the refusal.
import { describe, expect, it } from "vitest";
import { clusterTakes, CLUSTER_KINDS, hostTakes } from "@/common/clusters";
import { INSTANCE_KINDS } from "@/common/instance-states";
import { renderEnglish } from "../render-english";
import { noHostFits, pickHost, type HostCandidate } from "./pick-host";

const host = (over: Partial<HostCandidate>): HostCandidate => ({
  id: over.name ?? "h",
  name: "h",
  enabled: true,
  up: true,
  cpuCount: 2,
  memoryMiB: 4096,
  vcpusUsed: 0,
  memoryMiBUsed: 0,
  diskFreeBytes: 100 * 1024 ** 3,
  diskGiBUsed: 0,
  hypervisors: ["qemu"],
  hasImageCached: false,
  ...over,
});
const policy = { cpuOvercommit: 4, ramOvercommit: 1, diskOvercommit: 1, strategy: "spread" as const };
const req = { vcpus: 1, memoryMiB: 256, diskGiB: 1 };

describe("clusterTakes", () => {
  it("a host in no cluster takes everything; servers take servers; desktops take desktops and admin mode; local nothing", () => {
    const table = Object.fromEntries(
      [null, ...CLUSTER_KINDS].map((c) => [String(c), INSTANCE_KINDS.filter((k) => clusterTakes(c, k))]),
    );
    expect(table).toEqual({
      null: ["server", "desktop", "admin"],
      servers: ["server"],
      desktops: ["desktop", "admin"],
      local: [],
    });
  });
});

describe("a host reporting local mode", () => {
  it("takes nothing, whatever its cluster; otherwise its cluster decides", () => {
    for (const cluster of [null, ...CLUSTER_KINDS])
      for (const kind of INSTANCE_KINDS) {
        expect(hostTakes({ cluster, localMode: true }, kind)).toBe(false);
        expect(hostTakes({ cluster, localMode: false }, kind)).toBe(clusterTakes(cluster, kind));
      }
  });

  it("is passed over with its own reason, and is not 'a cluster of another kind'", () => {
    const p = pickHost(
      [host({ id: "pc", name: "pc", localMode: true, memoryMiB: 65536 })],
      { vcpus: 1, memoryMiB: 256, diskGiB: 1, kind: "desktop" },
      { cpuOvercommit: 4, ramOvercommit: 1, diskOvercommit: 1, strategy: "spread" },
    );
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.reasons.map((r) => r.reason.code)).toEqual(["scheduler.localModeHost"]);
    expect(p.noHostOfKind).toBeUndefined();
  });
});

describe("pickHost with clusters", () => {
  it("passes over a roomier host of the wrong kind and says why", () => {
    const hosts = [
      host({ name: "big-desk", memoryMiB: 65536, cluster: { name: "room-1", kind: "desktops" } }),
      host({ name: "srv", cluster: { name: "rack", kind: "servers" } }),
    ];
    const r = pickHost(hosts, { ...req, kind: "server" }, policy);
    expect(r).toMatchObject({ ok: true, hostName: "srv" });
    const d = pickHost(hosts, { ...req, kind: "desktop" }, policy);
    expect(d).toMatchObject({ ok: true, hostName: "big-desk" });
    const full = pickHost([hosts[0]!, { ...hosts[1]!, memoryMiBUsed: 4096 }], req, policy);
    expect(full.ok).toBe(false);
    if (full.ok) return;
    expect(full.noHostOfKind).toBeUndefined(); // a servers host exists, it is only full
    expect(renderEnglish(full.reasons[0]!.reason)).toBe(
      "in cluster room-1, which takes only remote desktops",
    );
  });

  it("names the missing kind when every usable host is in another kind's cluster (hosts outside the group's do not count)", () => {
    const r = pickHost(
      [
        host({ name: "lab-pc", cluster: { name: "lab", kind: "local" } }),
        host({ name: "srv", cluster: { name: "rack", kind: "servers" } }),
        host({ name: "elsewhere", outsideGroupHosts: "7a" }),
      ],
      { ...req, kind: "admin" },
      policy,
    );
    expect(r).toMatchObject({ ok: false, noHostOfKind: "desktops" });
    if (r.ok) return;
    const err = noHostFits(r.reasons, undefined, r.noHostOfKind);
    expect(err.code).toBe("scheduler.noHostOfKind");
    expect(err.message).toMatch(/^No host takes remote desktops: every host you may use is in a cluster/);
  });

  it("a request without a kind is a server (every existing caller)", () => {
    const r = pickHost([host({ cluster: { name: "room", kind: "desktops" } })], req, policy);
    expect(r).toMatchObject({ ok: false, noHostOfKind: "servers" });
  });
});
