import { describe, expect, it } from "vitest";
import type { HostFacts } from "@/agents/protocol";
import { FACT_BOUNDS, implausibleFacts } from "./facts-bounds";

const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  hostname: "h",
  cpuModel: "c",
  cpuCount: 8,
  memoryMiB: 32768,
  diskFreeBytes: 100e9,
  diskTotalBytes: 500e9,
  storageDir: "/var/lib/educloud",
  hypervisors: [],
  kvmUsable: true,
  agentVersion: "1",
  protocolVersion: 1,
  ...over,
});

describe("implausibleFacts", () => {
  it("believes a real machine, up to the limits themselves", () => {
    expect(implausibleFacts(facts())).toBeNull();
    expect(
      implausibleFacts(
        facts({
          cpuCount: FACT_BOUNDS.cpuCount,
          memoryMiB: FACT_BOUNDS.memoryMiB,
          diskFreeBytes: FACT_BOUNDS.diskBytes,
          diskTotalBytes: FACT_BOUNDS.diskBytes,
        }),
      ),
    ).toBeNull();
  });

  it.each([
    ["cpuCount", { cpuCount: 1025 }],
    ["memoryMiB", { memoryMiB: 64 * 1024 * 1024 + 1 }],
    ["diskFreeBytes", { diskFreeBytes: 1024 ** 5 + 1, diskTotalBytes: 1024 ** 5 + 1 }],
    ["diskTotalBytes", { diskTotalBytes: 1024 ** 5 + 1 }],
    ["cpuCount", { cpuCount: -1 }],
    ["memoryMiB", { memoryMiB: Number.NaN }],
    ["diskFreeBytes", { diskFreeBytes: Number.POSITIVE_INFINITY }],
  ] as const)("refuses %s in %o", (field, over) => {
    expect(implausibleFacts(facts(over))).toMatchObject({ code: "hosts.implausibleFact", params: { field } });
  });

  it("refuses more free disk than the disk has", () => {
    expect(implausibleFacts(facts({ diskFreeBytes: 600e9 }))).toMatchObject({
      code: "hosts.implausibleDisk",
    });
  });
});
