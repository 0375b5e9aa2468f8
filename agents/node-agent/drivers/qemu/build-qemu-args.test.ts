import { describe, expect, it } from "vitest";
import type { VmSpec } from "../hypervisor-driver";
import { buildQemuArgs, escapeQemuOptionValue, localDisplayEnv, type QemuArgPaths } from "./build-qemu-args";
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

describe("buildQemuArgs: the guest hardware model", () => {
  const all = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
  const code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  const withVars = { ...paths, efiVars: `${dir}/efivars.fd` };

  it("leaves a VM without a hardware model exactly as before: BIOS, virtio disk, no tablet, no keymap", () => {
    const args = buildQemuArgs(spec, withVars, { accel: "tcg", firmwareCode: code });
    expect(all(args, "-drive")).toEqual([
      `file=${dir}/disk.qcow2,if=virtio,format=qcow2,cache=writeback,discard=unmap`,
    ]);
    expect(args).not.toContain("-k");
    expect(args.join(" ")).not.toMatch(/pflash|usb-tablet|ahci|e1000/);
  });

  it("boots UEFI from OVMF's read-only code and the VM's own writable variable store", () => {
    const args = buildQemuArgs({ ...spec, hardware: { firmware: "uefi" } }, withVars, {
      accel: "tcg",
      firmwareCode: code,
    });
    expect(all(args, "-drive").slice(0, 2)).toEqual([
      `if=pflash,format=raw,unit=0,readonly=on,file=${code}`,
      `if=pflash,format=raw,unit=1,file=${dir}/efivars.fd`,
    ]);
  });

  it("refuses UEFI without OVMF or a variable store, and firmware paths QEMU would misread", () => {
    const uefi = { ...spec, hardware: { firmware: "uefi" as const } };
    expect(() => buildQemuArgs(uefi, paths, { accel: "tcg", firmwareCode: code })).toThrow(/ovmf/);
    expect(() => buildQemuArgs(uefi, withVars, { accel: "tcg" })).toThrow(InvalidVmConfigError);
    expect(() =>
      buildQemuArgs(uefi, { ...paths, efiVars: "/tmp/a,b.fd" }, { accel: "tcg", firmwareCode: code }),
    ).toThrow(/must not contain ','/);
  });

  it("puts the disk on its own AHCI controller as a SATA disk", () => {
    const args = buildQemuArgs({ ...spec, hardware: { diskBus: "sata" } }, paths, { accel: "tcg" });
    expect(all(args, "-drive")).toEqual([
      `file=${dir}/disk.qcow2,if=none,id=disk0,format=qcow2,cache=writeback,discard=unmap`,
    ]);
    expect(all(args, "-device")).toEqual(
      expect.arrayContaining(["ahci,id=sata0", "ide-hd,drive=disk0,bus=sata0.0,bootindex=0"]),
    );
  });

  it("gives NICs the e1000 model when asked, virtio otherwise", () => {
    const nic = { ...spec.nics, tap: "ectapa", mac: "02:ec:00:00:00:01", ip: "10.0.0.5" };
    const network = {
      id: "7d1f8a2e-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
      name: "n",
      revision: 1,
      bridge: "ecbrx",
      cidr: "10.0.0.0/24",
      gateway: "10.0.0.1",
      dnsServers: [],
      vlanId: null,
      uplink: null,
      nat: false,
      reservations: [],
      portForwards: [],
    };
    const nics = [{ ...nic, network }];
    const e1000 = buildQemuArgs({ ...spec, nics, hardware: { nicModel: "e1000" } }, paths, { accel: "tcg" });
    expect(all(e1000, "-device")).toContain("e1000,netdev=net0,mac=02:ec:00:00:00:01");
    const virtio = buildQemuArgs({ ...spec, nics, hardware: {} }, paths, { accel: "tcg" });
    expect(all(virtio, "-device")).toContain("virtio-net-pci,netdev=net0,mac=02:ec:00:00:00:01");
  });

  it("adds the USB tablet (on by default in a hardware model) and the VNC keymap", () => {
    const args = buildQemuArgs({ ...spec, hardware: { keyboardLayout: "de" } }, paths, { accel: "tcg" });
    expect(valueOf(args, "-k")).toBe("de");
    expect(all(args, "-device")).toEqual(
      expect.arrayContaining(["qemu-xhci,id=usb0", "usb-tablet,bus=usb0.0"]),
    );
    const off = buildQemuArgs({ ...spec, hardware: { usbTablet: false } }, paths, { accel: "tcg" });
    expect(off.join(" ")).not.toMatch(/usb-tablet|qemu-xhci/);
    expect(valueOf(off, "-k")).toBe("en-us");
  });
});

describe("buildQemuArgs: a local desktop on the PC's own screen", () => {
  it("is headless unless a local display is named", () => {
    expect(valueOf(buildQemuArgs(spec, paths, { accel: "tcg" }), "-display")).toBe("none");
  });

  it("opens a full-screen window without QEMU's menu, keeps VNC and the sandbox", () => {
    const args = buildQemuArgs({ ...spec, localDisplay: { x11Display: ":0" } }, paths, {
      accel: "tcg",
      sandbox: true,
    });
    expect(valueOf(args, "-display")).toBe("gtk,full-screen=on,show-menubar=off");
    expect(valueOf(args, "-vnc")).toBe(`unix:${paths.vncSocket}`);
    expect(args).toContain("-sandbox");
  });

  it("refuses a display on another machine", () => {
    for (const x11Display of ["evil.example:0", "10.0.0.1:0", ":0,foo=bar", ""])
      expect(() => buildQemuArgs({ ...spec, localDisplay: { x11Display } }, paths, { accel: "tcg" })).toThrow(
        InvalidVmConfigError,
      );
  });

  it("gives QEMU the display and no D-Bus (the sandbox forbids spawning dbus-launch)", () => {
    expect(localDisplayEnv({ x11Display: ":99", xauthority: "/run/x.auth" })).toMatchObject({
      DISPLAY: ":99",
      XAUTHORITY: "/run/x.auth",
      DBUS_SESSION_BUS_ADDRESS: "disabled:",
    });
  });
});
