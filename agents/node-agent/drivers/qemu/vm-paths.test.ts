import { describe, expect, it } from "vitest";
import { InvalidVmConfigError } from "./qemu-errors";
import {
  assertQemuSafePath,
  assertSafeVmId,
  assertUsableVmPaths,
  isSafeVmId,
  resolveVmPaths,
} from "./vm-paths";

describe("VM ids", () => {
  it("accepts UUIDs and simple names", () => {
    expect(isSafeVmId("3f2b8c1e-9a4d-4e7f-8b6a-1c2d3e4f5a6b")).toBe(true);
    expect(isSafeVmId("vm_1")).toBe(true);
  });

  it("refuses anything that could leave vms/ or break QEMU options", () => {
    for (const bad of ["", "..", "../etc", "a/b", "a,b", ".hidden", "-rf", "a b", "x".repeat(65), "a\n"]) {
      expect(isSafeVmId(bad), bad).toBe(false);
      expect(() => assertSafeVmId(bad)).toThrow(InvalidVmConfigError);
    }
  });
});

describe("resolveVmPaths", () => {
  it("puts every file in the run directory, the sockets and pidfile QEMU creates in its run/ folder", () => {
    const p = resolveVmPaths("/srv/educloud", "vm-1");
    expect(p).toEqual({
      runDir: "/srv/educloud/vms/vm-1",
      qemuDir: "/srv/educloud/vms/vm-1/run",
      specFile: "/srv/educloud/vms/vm-1/spec.json",
      disk: "/srv/educloud/vms/vm-1/disk.qcow2",
      // The UEFI variable store is the agent's file like the disk (QEMU gets it, never makes it).
      efiVars: "/srv/educloud/vms/vm-1/efivars.fd",
      pidfile: "/srv/educloud/vms/vm-1/run/qemu.pid",
      qmpSocket: "/srv/educloud/vms/vm-1/run/qmp.sock",
      vncSocket: "/srv/educloud/vms/vm-1/run/vnc.sock",
      serialSocket: "/srv/educloud/vms/vm-1/run/serial.sock",
      serialLog: "/srv/educloud/vms/vm-1/serial.log",
    });
    expect(resolveVmPaths("/srv/educloud", "vm-1", "legacy")).toMatchObject({
      qemuDir: "/srv/educloud/vms/vm-1",
      pidfile: "/srv/educloud/vms/vm-1/qemu.pid",
      serialLog: "/srv/educloud/vms/vm-1/serial.log",
    });
  });

  it("refuses a state directory with a comma or one too long for socket paths", () => {
    expect(() => assertUsableVmPaths(resolveVmPaths("/srv/a,b", "vm-1"))).toThrow(/must not contain ','/);
    expect(() =>
      assertUsableVmPaths(resolveVmPaths(`/${"s".repeat(90)}`, "3f2b8c1e-9a4d-4e7f-8b6a-1c2d3e4f5a6b")),
    ).toThrow(/shorter state directory/);
  });

  it("refuses relative paths and control characters", () => {
    expect(() => assertQemuSafePath("images/base.qcow2", "base image path")).toThrow(/absolute/);
    expect(() => assertQemuSafePath("/images/a\tb", "base image path")).toThrow(/control characters/);
  });
});
