import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { toWorkerError } from "../jobs/to-worker-error";
import { DriverRegistry, UnsupportedHypervisorError } from "./driver-registry";
import type { HypervisorDriver, VmSpec } from "./hypervisor-driver";
import { FakeDriver } from "./testing/fake-driver";

const spec = (id: string) => ({ id, baseImagePath: `/images/${id}` }) as VmSpec;

describe("DriverRegistry", () => {
  it("offers the drivers whose probe finds them usable, and only those", async () => {
    const qemu = new FakeDriver("qemu", { facts: { available: true, accel: { kvmUsable: false } } });
    const vbox = new FakeDriver("virtualbox", {
      facts: { available: false, reason: "VBoxManage is not installed" },
    });
    const registry = new DriverRegistry([qemu, vbox]);
    expect(registry.offered()).toEqual([]); // nothing before the host has been probed

    const facts = await registry.detect();
    expect(facts.map((f) => [f.kind, f.available])).toEqual([
      ["qemu", true],
      ["virtualbox", false],
    ]);
    expect(registry.offered()).toEqual(["qemu"]);
    expect(registry.forHypervisor("qemu")).toBe(qemu);
  });

  it("refuses a hypervisor the host does not offer, saying why, as an error no retry can fix", async () => {
    const registry = new DriverRegistry([
      new FakeDriver("qemu"),
      new FakeDriver("virtualbox", { facts: { available: false, reason: "VBoxManage is not installed" } }),
    ]);
    await registry.detect();

    expect(() => registry.forHypervisor("virtualbox")).toThrow(
      "this host does not offer virtualbox: VBoxManage is not installed",
    );
    expect(() => registry.forHypervisor("sim")).toThrow(
      "this host's agent has no sim driver (it offers qemu)",
    );
    let refused: unknown;
    try {
      registry.forHypervisor("sim");
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(UnsupportedHypervisorError);
    // The worker hands BullMQ an UnrecoverableError: the job fails at once, with this message.
    expect(toWorkerError(refused)).toBeInstanceOf(UnrecoverableError);
    expect((toWorkerError(refused) as Error).message).toMatch(/no sim driver/);
  });

  it("follows the host: a hypervisor installed later is offered at the next probe, one removed is not", async () => {
    const facts = { available: false, reason: "qemu-system-x86_64 is not installed" };
    const qemu = new FakeDriver("qemu", { facts });
    const registry = new DriverRegistry([qemu]);
    await registry.detect();
    expect(() => registry.forHypervisor("qemu")).toThrow(/not installed/);
    Object.assign(facts, { available: true, reason: undefined });
    await registry.detect();
    expect(registry.forHypervisor("qemu")).toBe(qemu);
  });

  it("does not offer a driver whose probe fails, and says so in its facts", async () => {
    const broken = new FakeDriver("qemu");
    broken.detect = async () => {
      throw new Error("/dev/kvm: permission denied");
    };
    const registry = new DriverRegistry([broken]);
    expect(await registry.detect()).toEqual([
      { kind: "qemu", available: false, reason: "detection failed: /dev/kvm: permission denied" },
    ]);
    expect(registry.offered()).toEqual([]);
  });

  it("finds an existing VM's driver from the VM itself, offered or not", async () => {
    const qemu = new FakeDriver("qemu");
    const sim = new FakeDriver("sim", { facts: { available: false, reason: "uninstalled" } });
    qemu.vms.set("a", { spec: spec("a"), state: "running" });
    sim.vms.set("b", { spec: spec("b"), state: "stopped" });
    const registry = new DriverRegistry([qemu, sim]);
    await registry.detect();
    expect(await registry.forVm("a")).toBe(qemu);
    // Its hypervisor is no longer offered, but the VM is still there to be stopped or deleted.
    expect(await registry.forVm("b")).toBe(sim);
    expect(await registry.forVm("c")).toBeNull();
    expect((await registry.listVms()).map(({ driver, vm }) => `${driver.kind}:${vm.id}`)).toEqual([
      "qemu:a",
      "sim:b",
    ]);
    expect((await registry.baseImagesInUse()).sort()).toEqual(["/images/a", "/images/b"]);
  });

  it("asks each driver for the accelerator its probe found usable", () => {
    const kvm = new FakeDriver("qemu");
    const tcg = new FakeDriver("virtualbox");
    const none = new FakeDriver("sim");
    const registry = new DriverRegistry(
      [kvm, tcg, none],
      [
        { kind: "qemu", available: true, accel: { kvmUsable: true } },
        { kind: "virtualbox", available: true, accel: { kvmUsable: false, reason: "no /dev/kvm" } },
        { kind: "sim", available: true },
      ],
    );
    expect([kvm, tcg, none].map((d) => registry.accelFor(d))).toEqual(["kvm", "tcg", "none"]);
  });

  it("refuses two drivers of one kind (which one would own a VM?)", () => {
    const twice: HypervisorDriver[] = [new FakeDriver("qemu"), new FakeDriver("qemu")];
    expect(() => new DriverRegistry(twice)).toThrow("two qemu drivers registered");
  });
});
