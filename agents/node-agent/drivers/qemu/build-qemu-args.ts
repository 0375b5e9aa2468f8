import { hardwareSchema, type Hardware } from "../../../protocol/hardware";
import type { VmSpec } from "../hypervisor-driver";
import { buildVolumeArgs } from "./build-volume-args";
import { InvalidVmConfigError } from "./qemu-errors";
import { assertQemuSafePath, assertUsableQemuArgPaths } from "./vm-paths";

/** Where QEMU finds the VM's disk and puts its control files. All absolute, none with ','. */
export interface QemuArgPaths {
  disk: string;
  pidfile: string;
  qmpSocket: string;
  vncSocket: string;
  serialSocket: string;
  serialLog: string;
  /** The VM's own copy of the UEFI variable store (writable pflash); needed only for UEFI guests. */
  efiVars?: string;
}

export type QemuAccel = "kvm" | "tcg";
export type QemuMachine = "q35" | "pc";

export interface QemuArgOptions {
  /** The accelerator actually used; the driver decides it from the spec and the host. */
  accel: QemuAccel;
  /** q35 (default): PCIe, AHCI, ICH9 ACPI power button — boots the syslinux test guest and real images. */
  machine?: QemuMachine;
  /** Confine QEMU with seccomp (`-sandbox on,…`, see sandboxOption); only when this QEMU build supports it. */
  sandbox?: boolean;
  /** OVMF's code image (read-only pflash) for UEFI guests, e.g. /usr/share/OVMF/OVMF_CODE_4M.fd. */
  firmwareCode?: string;
}

/**
 * The seccomp filter: no obsolete system calls, no set-uid/set-gid/capability changes
 * (elevateprivileges), no fork/exec (spawn), no scheduler/affinity changes (resourcecontrol). QEMU never
 * changes its user itself (no -runas, which needs setuid after the filter is in place): the agent starts
 * it already as its unprivileged user (spawn-qemu.ts buildQemuLaunchArgv), so every rule applies always.
 */
export const SANDBOX_OPTION = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

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

const TAP_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * `-netdev tap` per NIC: script=no/downscript=no because the agent, not QEMU, builds and removes the
 * tap (QEMU would otherwise run /etc/qemu-ifup as root). The tap name and MAC go into QEMU's option
 * syntax, so they are checked here again even though the portal's spec was validated.
 */
export function buildNicArgs(
  spec: Pick<VmSpec, "nics">,
  nicModel: Hardware["nicModel"] = "virtio",
): string[] {
  const nics = spec.nics ?? [];
  if (nics.length === 0) return ["-nic", "none"];
  return nics.flatMap((nic, i) => {
    if (!TAP_NAME.test(nic.tap))
      throw new InvalidVmConfigError(`invalid tap name ${JSON.stringify(nic.tap)}`);
    if (!MAC.test(nic.mac)) throw new InvalidVmConfigError(`invalid MAC ${JSON.stringify(nic.mac)}`);
    return [
      "-netdev",
      `tap,id=net${i},ifname=${nic.tap},script=no,downscript=no`,
      "-device",
      `${nicModel === "e1000" ? "e1000" : "virtio-net-pci"},netdev=net${i},mac=${nic.mac}`,
    ];
  });
}

/**
 * The boot disk on the bus the hardware model names: virtio-blk (today's VMs), or SATA — an AHCI
 * controller of its own (on q35 and pc alike) with the disk as an ide-hd on its first port.
 */
function buildDiskArgs(disk: string, bus: Hardware["diskBus"]): string[] {
  if (bus === "virtio")
    return ["-drive", `file=${disk},if=virtio,format=qcow2,cache=writeback,discard=unmap`];
  return [
    "-drive",
    `file=${disk},if=none,id=disk0,format=qcow2,cache=writeback,discard=unmap`,
    "-device",
    "ahci,id=sata0",
    "-device",
    "ide-hd,drive=disk0,bus=sata0.0,bootindex=0",
  ];
}

/** UEFI: OVMF's code read-only and the VM's own variable store writable, both as pflash. */
function buildFirmwareArgs(
  firmware: Hardware["firmware"],
  paths: QemuArgPaths,
  opts: QemuArgOptions,
): string[] {
  if (firmware === "bios") return [];
  if (!opts.firmwareCode || !paths.efiVars)
    throw new InvalidVmConfigError(
      "a UEFI guest needs OVMF (apt-get install -y ovmf) and its own variable store",
    );
  assertQemuSafePath(opts.firmwareCode, "UEFI firmware path");
  assertQemuSafePath(paths.efiVars, "UEFI variable store path");
  return [
    "-drive",
    `if=pflash,format=raw,unit=0,readonly=on,file=${opts.firmwareCode}`,
    "-drive",
    `if=pflash,format=raw,unit=1,file=${paths.efiVars}`,
  ];
}

const X_DISPLAY = /^:[0-9]{1,4}(\.[0-9]{1,2})?$/;

/** Only a local X display (":0", ":99.0"): QEMU never opens a window on another machine's X server. */
export function buildLocalDisplayArgs(display: { x11Display: string }): string[] {
  if (!X_DISPLAY.test(display.x11Display))
    throw new InvalidVmConfigError(
      `the local display must be a local X display such as :0, got ${JSON.stringify(display.x11Display)}`,
    );
  // GTK, full screen through the session's window manager, scaled to fit the PC's screen, without its
  // menu (which would hand the user QEMU's controls). SDL also works but keeps the guest's size
  // (letterboxed) or switches the monitor's mode. Without any window manager GTK stays a window at
  // the guest's size: docs/labs.md asks for a kiosk session with one.
  return ["-display", "gtk,full-screen=on,show-menubar=off"];
}

/**
 * What QEMU's window needs in its environment: the display, its X authority, and no D-Bus or
 * accessibility bus — GLib would otherwise spawn dbus-launch, which the seccomp sandbox (spawn=deny)
 * kills QEMU for.
 */
export function localDisplayEnv(display: {
  x11Display: string;
  xauthority?: string;
}): Record<string, string> {
  buildLocalDisplayArgs(display);
  return {
    DISPLAY: display.x11Display,
    ...(display.xauthority ? { XAUTHORITY: display.xauthority } : {}),
    NO_AT_BRIDGE: "1",
    GTK_A11Y: "none",
    DBUS_SESSION_BUS_ADDRESS: "disabled:",
  };
}

/**
 * The argv (without the binary) that runs one VM, controlled only through unix sockets
 * in its run directory. Pure: no I/O, so every flag is unit-tested. Each NIC is a virtio-net device on
 * a tap the agent has already created and plugged into its network's bridge; without NICs there is no
 * network at all (`-nic none`, not QEMU's default user-mode NIC).
 */
export function buildQemuArgs(spec: VmSpec, paths: QemuArgPaths, opts: QemuArgOptions): string[] {
  assertWholeNumber(spec.vcpus, "vcpus", 1, 255);
  assertWholeNumber(spec.memoryMiB, "memoryMiB", 16, 4 * 1024 * 1024);
  assertUsableQemuArgPaths(paths);
  // No hardware model: exactly today's VM (no tablet, QEMU's default keymap). With one, its defaults.
  const hw: Hardware | undefined = spec.hardware ? hardwareSchema.parse(spec.hardware) : undefined;

  // The human name is shown in logs and `ps`; strip control characters, keep commas escaped.
  const guestName = escapeQemuOptionValue(spec.name.replace(/[\u0000-\u001f\u007f]/g, " ").trim() || spec.id);
  const args: string[] = [
    "-name",
    `guest=${guestName}`,
    "-no-user-config",
    "-nodefaults",
    "-machine",
    opts.machine ?? "q35",
    // Multi-threaded TCG is safe for an x86 guest on an x86 host and uses every vCPU thread.
    ...(opts.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi"]),
    "-m",
    `${spec.memoryMiB}M`,
    "-smp",
    String(spec.vcpus),
  ];
  // The instance id as SMBIOS UUID lets the guest (cloud-init, dmidecode) know which instance it is.
  if (UUID.test(spec.id)) args.push("-uuid", spec.id.toLowerCase());
  args.push(
    ...buildFirmwareArgs(hw?.firmware ?? "bios", paths, opts),
    ...buildDiskArgs(paths.disk, hw?.diskBus ?? "virtio"),
    "-boot",
    "c",
    "-vga",
    "std",
    // A local desktop: QEMU's own full-screen window on the PC's X display; VNC stays for thumbnails.
    // Otherwise headless.
    ...(spec.localDisplay ? buildLocalDisplayArgs(spec.localDisplay) : ["-display", "none"]),
    "-vnc",
    `unix:${paths.vncSocket}`,
    // The guest's layout for keys typed in the graphical console.
    ...(hw ? ["-k", hw.keyboardLayout] : []),
    // An absolute pointer, so the guest's cursor follows the viewer's exactly.
    ...(hw?.usbTablet ? ["-device", "qemu-xhci,id=usb0", "-device", "usb-tablet,bus=usb0.0"] : []),
    // Serial on a socket (console proxy, tests) and always into a log, even with nobody attached.
    "-chardev",
    `socket,id=serial0,path=${paths.serialSocket},server=on,wait=off,logfile=${paths.serialLog},logappend=on`,
    "-serial",
    "chardev:serial0",
    "-qmp",
    `unix:${paths.qmpSocket},server=on,wait=off`,
    ...buildNicArgs(spec, hw?.nicModel),
    // Hot-plug slots (q35 root ports) and the data volumes attached to the VM.
    ...buildVolumeArgs(spec, opts.machine ?? "q35"),
    // No -daemonize: it forks after the seccomp filter is in place (spawn=deny); the agent starts QEMU
    // detached instead (spawn-detached-qemu.ts), so VMs still outlive the agent that started them.
    "-pidfile",
    paths.pidfile,
  );
  if (opts.sandbox) args.push("-sandbox", SANDBOX_OPTION);
  return args;
}
