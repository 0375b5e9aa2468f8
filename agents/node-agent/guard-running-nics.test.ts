import pino from "pino";
import { describe, expect, it } from "vitest";
import type { NicSpec } from "../protocol/network";
import { DriverRegistry } from "./drivers/driver-registry";
import type { VmSpec } from "./drivers/hypervisor-driver";
import { FakeDriver } from "./drivers/testing/fake-driver";
import { guardRunningNics } from "./guard-running-nics";
import { makeNetworkSpec } from "./network/testing/network-fixtures";

const network = makeNetworkSpec();
const nic = (tap: string, ip: string): NicSpec => ({ tap, mac: "02:ec:00:00:00:0a", ip, network });
const vm = (id: string, nics: NicSpec[]): VmSpec =>
  ({ id, name: id, vcpus: 1, memoryMiB: 256, diskGiB: 1, baseImagePath: "/b", nics }) as VmSpec;

describe("guardRunningNics", () => {
  it("hands every VM's NICs to the network, and one VM's failure does not stop the others", async () => {
    const driver = new FakeDriver("qemu");
    await driver.create(vm("vm-1", [nic("ectap1", "10.20.30.10"), nic("ectap2", "10.20.30.11")]));
    await driver.create(vm("vm-2", []));
    await driver.create(vm("vm-3", [nic("ectap3", "10.20.30.12")]));
    await driver.stop("vm-3");
    const guarded: string[][] = [];
    await guardRunningNics(
      new DriverRegistry([driver]),
      {
        async guardExistingTaps(nics) {
          guarded.push(nics.map((n) => n.tap));
          if (nics[0]?.tap === "ectap1") throw new Error("nft failed");
        },
      },
      pino({ level: "silent" }),
    );
    expect(guarded).toEqual([["ectap1", "ectap2"], ["ectap3"]]);
  });
});
