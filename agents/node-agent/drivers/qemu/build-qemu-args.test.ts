import { describe, expect, it } from "vitest";
import type { VmSpec } from "../hypervisor-driver";
import { buildQemuArgs, escapeQemuOptionValue, type QemuArgPaths } from "./build-qemu-args";
import { InvalidVmConfigError } from "./qemu-errors";

const id = "3f2b8c1e-9a4d-4e7f-8b6a-1c2d3e4f5a6b";
const spec: VmSpec = {
  id,
  name: "web-1",
  vcpus: 2,
  memoryMiB: 256,
  diskGiB: 1,
  baseImagePath: "/var/lib/educloud/images/base.qcow2",
  baseImageFormat: "qcow2",
  accel: "tcg",
};
const dir = `/var/lib/educloud/vms/${id}`;
const paths: QemuArgPaths = {
  disk: `${dir}/disk.qcow2`,
  pidfile: `${dir}/qemu.pid`,
  qmpSocket: `${dir}/qmp.sock`,
  vncSocket: `${dir}/vnc.sock`,
  serialSocket: `${dir}/serial.sock`,
  serialLog: `${dir}/serial.log`,
};

/** The value that follows `flag` (first occurrence). */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe("buildQemuArgs", () => {
  it("uses TCG, multi-threaded, without -cpu host", () => {
    const args = buildQemuArgs(spec, paths, { accel: "tcg" });
    expect(valueOf(args, "-accel")).toBe("tcg,thread=multi");
    expect(args).not.toContain("-cpu");
  });

  it("uses KVM with the host CPU model", () => {
    const args = buildQemuArgs({ ...spec, accel: "kvm" }, paths, { accel: "kvm" });
    expect(valueOf(args, "-accel")).toBe("kvm");
    expect(valueOf(args, "-cpu")).toBe("host");
  });

  it("sizes memory and vCPUs from the spec", () => {
    const args = buildQemuArgs(spec, paths, { accel: "tcg" });
    expect(valueOf(args, "-m")).toBe("256M");
    expect(valueOf(args, "-smp")).toBe("2");
  });

  it("runs with QMP, VNC and serial on unix sockets in the run directory (the agent detaches it)", () => {
    const args = buildQemuArgs(spec, paths, { accel: "tcg" });
    expect(args).not.toContain("-daemonize"); // it would fork under spawn=deny
    expect(valueOf(args, "-pidfile")).toBe(`${dir}/qemu.pid`);
    expect(valueOf(args, "-qmp")).toBe(`unix:${dir}/qmp.sock,server=on,wait=off`);
    expect(valueOf(args, "-vnc")).toBe(`unix:${dir}/vnc.sock`);
    expect(valueOf(args, "-chardev")).toBe(
      `socket,id=serial0,path=${dir}/serial.sock,server=on,wait=off,logfile=${dir}/serial.log,logappend=on`,
    );
    expect(valueOf(args, "-serial")).toBe("chardev:serial0");
    expect(valueOf(args, "-display")).toBe("none");
  });

  it("boots the overlay as a virtio disk and never names the base image", () => {
    const args = buildQemuArgs(spec, paths, { accel: "tcg" });
    expect(valueOf(args, "-drive")).toBe(
      `file=${dir}/disk.qcow2,if=virtio,format=qcow2,cache=writeback,discard=unmap`,
    );
    expect(args.join(" ")).not.toContain("base.qcow2");
    expect(valueOf(args, "-boot")).toBe("c");
  });

  it("starts from no defaults, adds a std VGA and no network", () => {
    const args = buildQemuArgs(spec, paths, { accel: "tcg" });
    expect(args).toContain("-nodefaults");
    expect(args).toContain("-no-user-config");
    expect(valueOf(args, "-vga")).toBe("std");
    expect(valueOf(args, "-nic")).toBe("none");
    expect(args.filter((a) => a === "-netdev" || a === "-net")).toEqual([]);
  });

  it("plugs each NIC into its tap as virtio-net with its MAC, in guest order, and no -nic none", () => {
    const network = {
      id: "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      name: "lab",
      revision: 1,
      bridge: "ecbr1",
      cidr: "10.0.0.0/24",
      gateway: "10.0.0.1",
      dnsServers: [],
      vlanId: null,
      uplink: null,
      nat: true,
      reservations: [],
      portForwards: [],
    };
    const nics = [
      { tap: "ectapa", mac: "02:ec:00:00:00:01", ip: "10.0.0.5", network },
      { tap: "ectapb", mac: "02:ec:00:00:00:02", ip: "10.0.0.6", network },
    ];
    const args = buildQemuArgs({ ...spec, nics }, paths, { accel: "tcg" });
    expect(args).not.toContain("-nic");
    const netdevs = args.flatMap((a, i) => (a === "-netdev" ? [args[i + 1]] : []));
    // Hot-plug root ports for volumes are devices too (build-volume-args.test.ts); only NICs here.
    const devices = args.flatMap((a, i) =>
      a === "-device" && !args[i + 1]!.startsWith("pcie-root-port") ? [args[i + 1]] : [],
    );
    expect(netdevs).toEqual([
      "tap,id=net0,ifname=ectapa,script=no,downscript=no",
      "tap,id=net1,ifname=ectapb,script=no,downscript=no",
    ]);
    expect(devices).toEqual([
      "virtio-net-pci,netdev=net0,mac=02:ec:00:00:00:01",
      "virtio-net-pci,netdev=net1,mac=02:ec:00:00:00:02",
    ]);
  });

  it("refuses a tap name or MAC that would break QEMU's option syntax", () => {
    const network = {
      id: "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      name: "lab",
      revision: 1,
      bridge: "ecbr1",
      cidr: "10.0.0.0/24",
      gateway: "10.0.0.1",
      dnsServers: [],
      vlanId: null,
      uplink: null,
      nat: true,
      reservations: [],
      portForwards: [],
    };
    expect(() =>
      buildQemuArgs(
        { ...spec, nics: [{ tap: "x,script=/evil", mac: "02:ec:00:00:00:01", ip: "10.0.0.5", network }] },
        paths,
        { accel: "tcg" },
      ),
    ).toThrow(InvalidVmConfigError);
    expect(() =>
      buildQemuArgs(
        { ...spec, nics: [{ tap: "ectapa", mac: "02:ec:00:00:00:01,x=y", ip: "10.0.0.5", network }] },
        paths,
        { accel: "tcg" },
      ),
    ).toThrow(InvalidVmConfigError);
  });

  it("defaults to q35 and allows pc", () => {
    expect(valueOf(buildQemuArgs(spec, paths, { accel: "tcg" }), "-machine")).toBe("q35");
    expect(valueOf(buildQemuArgs(spec, paths, { accel: "tcg", machine: "pc" }), "-machine")).toBe("pc");
  });

  it("adds the seccomp sandbox only when asked: no obsolete calls, no set-uid, no fork/exec, no resource control", () => {
    expect(buildQemuArgs(spec, paths, { accel: "tcg" })).not.toContain("-sandbox");
    expect(valueOf(buildQemuArgs(spec, paths, { accel: "tcg", sandbox: true }), "-sandbox")).toBe(
      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    );
  });

  it("never asks QEMU to change its user (-runas): the agent starts it as that user", () => {
    expect(buildQemuArgs(spec, paths, { accel: "tcg", sandbox: true })).not.toContain("-runas");
  });

  it("passes a UUID id as the SMBIOS UUID, and no -uuid for other ids", () => {
    expect(valueOf(buildQemuArgs(spec, paths, { accel: "tcg" }), "-uuid")).toBe(id);
    expect(buildQemuArgs({ ...spec, id: "vm-1" }, paths, { accel: "tcg" })).not.toContain("-uuid");
  });

  it("escapes commas in the guest name and strips control characters", () => {
    const args = buildQemuArgs({ ...spec, name: "lab,1\nx" }, paths, { accel: "tcg" });
    expect(valueOf(args, "-name")).toBe("guest=lab,,1 x");
    expect(escapeQemuOptionValue("a,b,,c")).toBe("a,,b,,,,c");
  });

  it("falls back to the id when the name is blank", () => {
    expect(valueOf(buildQemuArgs({ ...spec, name: "  " }, paths, { accel: "tcg" }), "-name")).toBe(
      `guest=${id}`,
    );
  });

  it("refuses paths with a comma, relative paths and over-long socket paths", () => {
    expect(() => buildQemuArgs(spec, { ...paths, disk: "/tmp/a,b/disk.qcow2" }, { accel: "tcg" })).toThrow(
      /must not contain ','/,
    );
    expect(() => buildQemuArgs(spec, { ...paths, serialLog: "var/serial.log" }, { accel: "tcg" })).toThrow(
      /absolute/,
    );
    const long = `/${"d".repeat(120)}/qmp.sock`;
    expect(() => buildQemuArgs(spec, { ...paths, qmpSocket: long }, { accel: "tcg" })).toThrow(
      /unix socket path/,
    );
    expect(() => buildQemuArgs(spec, { ...paths, vncSocket: "/tmp/x,y.sock" }, { accel: "tcg" })).toThrow(
      InvalidVmConfigError,
    );
  });

  it("refuses impossible sizes", () => {
    expect(() => buildQemuArgs({ ...spec, vcpus: 0 }, paths, { accel: "tcg" })).toThrow(/vcpus/);
    expect(() => buildQemuArgs({ ...spec, vcpus: 1.5 }, paths, { accel: "tcg" })).toThrow(/vcpus/);
    expect(() => buildQemuArgs({ ...spec, memoryMiB: 8 }, paths, { accel: "tcg" })).toThrow(/memoryMiB/);
  });

  it("never produces an argument with a shell metacharacter problem: every value is its own argv entry", () => {
    const args = buildQemuArgs({ ...spec, name: "$(reboot); `x`" }, paths, { accel: "tcg" });
    expect(valueOf(args, "-name")).toBe("guest=$(reboot); `x`");
    expect(args.every((a) => typeof a === "string" && a.length > 0)).toBe(true);
  });
});
