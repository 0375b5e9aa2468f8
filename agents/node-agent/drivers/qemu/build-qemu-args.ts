import type { VmSpec } from "../hypervisor-driver";
import { InvalidVmConfigError } from "./qemu-errors";
import { assertUsableQemuArgPaths } from "./vm-paths";

/** Where QEMU finds the VM's disk and puts its control files. All absolute, none with ','. */
export interface QemuArgPaths {
  disk: string;
  pidfile: string;
  qmpSocket: string;
  vncSocket: string;
  serialSocket: string;
  serialLog: string;
}

export type QemuAccel = "kvm" | "tcg";
export type QemuMachine = "q35" | "pc";

export interface QemuArgOptions {
  /** The accelerator actually used; the driver decides it from the spec and the host. */
  accel: QemuAccel;
  /** q35 (default): PCIe, AHCI, ICH9 ACPI power button — boots the syslinux test guest and real images. */
  machine?: QemuMachine;
  /** Confine QEMU with seccomp (`-sandbox on`); only when this QEMU build supports it. */
  sandbox?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** QEMU option values end at ','; a literal comma is written twice. */
export function escapeQemuOptionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

function assertWholeNumber(value: number, what: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidVmConfigError(`${what} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/**
 * The argv (without the binary) that runs one VM daemonised, controlled only through unix sockets
 * in its run directory. Pure: no I/O, so every flag is unit-tested. Networking is off (`-nic none`)
 * until the network issue adds taps.
 */
export function buildQemuArgs(spec: VmSpec, paths: QemuArgPaths, opts: QemuArgOptions): string[] {
  assertWholeNumber(spec.vcpus, "vcpus", 1, 255);
  assertWholeNumber(spec.memoryMiB, "memoryMiB", 16, 4 * 1024 * 1024);
  assertUsableQemuArgPaths(paths);

  // The human name is shown in logs and `ps`; strip control characters, keep commas escaped.
  const guestName = escapeQemuOptionValue(spec.name.replace(/[\u0000-\u001f\u007f]/g, " ").trim() || spec.id);
  const args: string[] = [
    "-name", `guest=${guestName}`,
    "-no-user-config",
    "-nodefaults",
    "-machine", opts.machine ?? "q35",
    // Multi-threaded TCG is safe for an x86 guest on an x86 host and uses every vCPU thread.
    ...(opts.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi"]),
    "-m", `${spec.memoryMiB}M`,
    "-smp", String(spec.vcpus),
  ];
  // The instance id as SMBIOS UUID lets the guest (cloud-init, dmidecode) know which instance it is.
  if (UUID.test(spec.id)) args.push("-uuid", spec.id.toLowerCase());
  args.push(
    "-drive", `file=${paths.disk},if=virtio,format=qcow2,cache=writeback,discard=unmap`,
    "-boot", "c",
    "-vga", "std",
    "-display", "none",
    "-vnc", `unix:${paths.vncSocket}`,
    // Serial on a socket (console proxy, tests) and always into a log, even with nobody attached.
    "-chardev", `socket,id=serial0,path=${paths.serialSocket},server=on,wait=off,logfile=${paths.serialLog},logappend=on`,
    "-serial", "chardev:serial0",
    "-qmp", `unix:${paths.qmpSocket},server=on,wait=off`,
    "-nic", "none",
    // -daemonize: QEMU forks away and is reparented, so VMs outlive the agent that started them.
    "-daemonize",
    "-pidfile", paths.pidfile,
  );
  if (opts.sandbox) args.push("-sandbox", "on");
  return args;
}
