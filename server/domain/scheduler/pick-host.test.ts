import { describe, expect, it } from "vitest";
import { renderEnglish } from "../render-english";
import { describeNoHost, pickHost, type HostCandidate } from "./pick-host";

const GiB = 1024 ** 3;
const host = (over: Partial<HostCandidate>): HostCandidate => ({
  id: over.name ?? "h",
  name: "h",
  enabled: true,
  up: true,
  cpuCount: 2,
  memoryMiB: 1024,
  vcpusUsed: 0,
  memoryMiBUsed: 0,
  diskFreeBytes: 100 * GiB,
  diskGiBUsed: 0,
  hypervisors: ["qemu"],
  hasImageCached: false,
  ...over,
});
const req = { vcpus: 1, memoryMiB: 256, diskGiB: 10, hypervisor: "qemu" };
const spread = { cpuOvercommit: 4, ramOvercommit: 1, diskOvercommit: 1, strategy: "spread" as const };

describe("pickHost", () => {
  it("names the reason for every host that does not fit", () => {
    const r = pickHost(
      [
        host({ name: "a", enabled: false }),
        host({ name: "b", up: false }),
        host({ name: "c", memoryMiBUsed: 900 }),
        host({ name: "d", vcpusUsed: 8 }),
        host({ name: "e", hypervisors: ["virtualbox"] }),
      ],
      req,
      spread,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons.map((x) => ({ host: x.host, reason: renderEnglish(x.reason) }))).toEqual([
      { host: "a", reason: "disabled by an administrator" },
      { host: "b", reason: "down (no recent heartbeat)" },
      { host: "c", reason: "not enough RAM (124 of 1024 MiB free, 256 MiB needed)" },
      { host: "d", reason: "not enough vCPUs (0 of 8 free, 1 needed)" },
      { host: "e", reason: "has no qemu hypervisor" },
    ]);
    expect(describeNoHost(r.reasons)).toMatch(/^No host fits: a: disabled/);
  });

  it("applies overcommit ratios", () => {
    expect(pickHost([host({ vcpusUsed: 7 })], req, spread).ok).toBe(true);
    expect(pickHost([host({ vcpusUsed: 7 })], req, { ...spread, cpuOvercommit: 1 }).ok).toBe(false);
    expect(pickHost([host({ memoryMiBUsed: 1000 })], req, { ...spread, ramOvercommit: 1.5 }).ok).toBe(true);
  });

  it("counts disk: held flavor disks against the reported free space times the thin-provisioning ratio", () => {
    // The case: a 10 TiB disk on a host with 76 GiB free.
    const huge = pickHost(
      [host({ name: "small", diskFreeBytes: 76 * GiB })],
      { ...req, diskGiB: 10240 },
      spread,
    );
    expect(huge.ok ? "" : renderEnglish(huge.reasons[0]!.reason)).toBe(
      "not enough disk (76 of 76 GiB free, 10240 GiB needed)",
    );
    const held = host({ diskFreeBytes: 100 * GiB, diskGiBUsed: 95 });
    expect(pickHost([held], req, spread).ok).toBe(false);
    expect(pickHost([held], req, { ...spread, diskOvercommit: 2 }).ok).toBe(true);
    expect(pickHost([host({ diskGiBUsed: 90 })], req, spread).ok).toBe(true); // exactly full
  });

  it("spreads to the emptiest host, packs onto the fullest", () => {
    const hosts = [host({ name: "full", memoryMiBUsed: 512 }), host({ name: "empty" })];
    expect(pickHost(hosts, req, spread)).toMatchObject({ hostName: "empty" });
    expect(pickHost(hosts, req, { ...spread, strategy: "pack" })).toMatchObject({ hostName: "full" });
  });

  it("prefers a host that has the image cached when otherwise close", () => {
    const hosts = [host({ name: "a" }), host({ name: "b", memoryMiBUsed: 100, hasImageCached: true })];
    expect(pickHost(hosts, req, spread)).toMatchObject({ hostName: "b" });
  });

  it("says so when no host has joined", () => {
    const r = pickHost([], req, spread);
    expect(r.ok ? "" : describeNoHost(r.reasons)).toBe("No host fits: —: no host has joined yet.");
  });
});

describe("pickHost and networks", () => {
  it("skips hosts that do not carry a requested network, naming it", () => {
    const r = pickHost(
      [host({ name: "a", missingNetworks: ["lab-net"] }), host({ name: "b", missingNetworks: ["x", "y"] })],
      req,
      spread,
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.reasons.map((x) => ({ host: x.host, reason: renderEnglish(x.reason) }))).toEqual([
      { host: "a", reason: "does not carry the network lab-net" },
      { host: "b", reason: "does not carry the networks x, y" },
    ]);
    const ok = pickHost(
      [host({ name: "a", missingNetworks: ["lab-net"] }), host({ name: "c", missingNetworks: [] })],
      req,
      spread,
    );
    expect(ok).toMatchObject({ ok: true, hostName: "c" });
  });
});

describe("pickHost and hypervisors", () => {
  it("without a required hypervisor, places on a host that has one and says which it will use", () => {
    const any = { vcpus: 1, memoryMiB: 256, diskGiB: 10 };
    const r = pickHost(
      [host({ name: "a", hypervisors: [] }), host({ name: "b", hypervisors: ["virtualbox", "qemu"] })],
      any,
      spread,
    );
    expect(r).toMatchObject({ ok: true, hostName: "b", hypervisor: "virtualbox" });
    const none = pickHost([host({ name: "a", hypervisors: [] })], any, spread);
    expect(none).toMatchObject({ ok: false, reasons: [{ host: "a" }] });
    expect(!none.ok && renderEnglish(none.reasons[0]!.reason)).toBe("has no usable hypervisor");
    expect(pickHost([host({ name: "b", hypervisors: ["virtualbox", "qemu"] })], req, spread)).toMatchObject({
      hypervisor: "qemu",
    });
  });
});
