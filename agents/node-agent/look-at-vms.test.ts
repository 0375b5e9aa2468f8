// The heartbeat's stamp is the moment its look at the VMs began, never a moment after it: the portal
// takes a report older than an instance's last change as stale, and only a stamp from before the look
// makes a slow look's "stopped" (a VM being created or reset meanwhile) stale.
import { describe, expect, it } from "vitest";
import type { DriverRegistry } from "./drivers/driver-registry";
import type { HypervisorDriver } from "./drivers/hypervisor-driver";
import { lookAtVms } from "./look-at-vms";

const driver = { kind: "qemu" } as HypervisorDriver;

describe("lookAtVms", () => {
  it("stamps the look when it begins, however long the listing takes", async () => {
    let listedAt = 0;
    const drivers: Pick<DriverRegistry, "listVms"> = {
      listVms: async () => {
        listedAt = Date.now();
        await new Promise((r) => setTimeout(r, 120)); // 30 VMs on a busy host
        return [{ driver, vm: { id: "a1", state: "stopped" } }];
      },
    };
    const { at, vms } = await lookAtVms(drivers, true);
    expect(at.getTime()).toBeLessThanOrEqual(listedAt);
    expect(Date.now() - at.getTime()).toBeGreaterThanOrEqual(110);
    expect(vms.map((v) => v.vm.id)).toEqual(["a1"]);
  });

  it("leaves out the lab PC's own local desktops and passes the kind of look on", async () => {
    const asked: unknown[] = [];
    const drivers: Pick<DriverRegistry, "listVms"> = {
      listVms: async (opts) => {
        asked.push(opts);
        return [
          { driver, vm: { id: "0b6f4c8e-1d2a-4f3b-9c5d-7e8f9a0b1c2d", state: "running" } },
          { driver, vm: { id: "local-0b6f4c8e-1d2a-4f3b-9c5d-7e8f9a0b1c2d", state: "running" } },
        ];
      },
    };
    const { vms } = await lookAtVms(drivers, false);
    expect(vms.map((v) => v.vm.id)).toEqual(["0b6f4c8e-1d2a-4f3b-9c5d-7e8f9a0b1c2d"]);
    expect(asked).toEqual([{ quick: false }]);
  });
});
