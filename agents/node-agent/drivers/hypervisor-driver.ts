// The one interface every hypervisor driver implements (qemu, virtualbox, sim). The agent's job
// handlers, console bridge and image cache talk only to this (through the DriverRegistry); drivers know
// nothing of BullMQ, the portal or MySQL, and nothing outside a driver's folder knows its files.
import type { ConsoleKind } from "../../protocol/console-grant";
import type { HypervisorKind } from "../../protocol/hypervisor";
import type { NicSpec } from "../../protocol/network";
import type { TapOwner } from "../network/ip-commands";
import type { AgentMessage } from "../../protocol/agent-message";
import type { HardwareInput } from "../../protocol/hardware";

export type Accelerator = "kvm" | "tcg" | "none";

/** What a driver needs to build and run one VM. Persisted by the driver in the VM's run directory. */
export interface VmSpec {
  /** Instance id from the portal (a UUID); also the name of the VM's run directory. */
  id: string;
  /** Human name, for the process title and logs only. */
  name: string;
  vcpus: number;
  memoryMiB: number;
  /** Virtual size of the instance disk (the overlay); never smaller than the base image's. */
  diskGiB: number;
  /** Absolute path of the cached, verified base image; the driver never writes to it. */
  baseImagePath: string;
  baseImageFormat: "qcow2" | "raw";
  /** Chosen by the agent from the host's facts: kvm only where it is really usable. */
  accel: Accelerator;
  /**
   * NICs in guest order (eth0 first). Before the driver starts the VM, the agent builds each NIC's
   * network (bridge, DHCP, firewall) and lets the driver prepare the NIC (prepareNic); the driver keeps
   * the NICs in its record so they can be prepared again after a host reboot (start) and released
   * after delete.
   */
  nics?: NicSpec[];
  /**
   * Data volumes attached to the VM, each in its own hot-plug slot (0-based). Kept in the persisted
   * spec, so a volume attached while the VM ran is there again after a stop and start.
   */
  volumes?: VolumeAttachment[];
  /** The guest's virtual hardware; absent (or a field absent) = the defaults (BIOS, virtio, tablet, en-us). */
  hardware?: HardwareInput;
  /**
   * Snapshot mode: the disk (overlay over the base) is discarded whenever the VM stops and made fresh
   * before every start, so nothing the guest writes outlives a stop; the base is never written.
   */
  throwaway?: boolean;
  /**
   * Local mode (a lab PC's own screen): the guest's display is a full-screen window on this X display
   * instead of VNC only. Absent: headless, as every VM the portal places.
   */
  localDisplay?: LocalDisplay;
}

/** An X display on this machine, and the X authority file the hypervisor may need to open it. */
export interface LocalDisplay {
  /** e.g. ":0" */
  x11Display: string;
  xauthority?: string;
}

/** A new base for reset: the VM's spec names it from then on. */
export interface ResetBase {
  baseImagePath: string;
  baseImageFormat: "qcow2" | "raw";
}

/** What a resize changes. */
export type VmSize = Pick<VmSpec, "vcpus" | "memoryMiB" | "diskGiB">;

export interface VolumeAttachment {
  /** The volume's id in the portal (a UUID). */
  id: string;
  /** Absolute path of the volume's qcow2 on this host. */
  path: string;
  slot: number;
}

export type VmPowerState = "running" | "paused" | "stopped";

export interface VmStatus {
  id: string;
  state: VmPowerState;
  /** OS process id while running. */
  pid?: number;
  accel?: Accelerator;
}

export interface HypervisorFacts {
  kind: HypervisorKind;
  /** Installed and usable here: the host offers this kind and takes instance.create jobs for it. */
  available: boolean;
  version?: string;
  /** Why it is not available, in words an operator can act on. */
  reason?: string;
  /** For drivers with hardware acceleration: whether it is usable here, and if not, why. */
  accel?: { kvmUsable: boolean; reason?: string; reasonMessage?: AgentMessage };
}

export interface ProgressReport {
  /** 0–100 */
  percent: number;
  message: string;
}

/**
 * Where the console bridge connects to reach one console of a VM: a unix socket or a TCP port, exactly
 * what `net.connect()` takes. The bridge only pipes bytes: VNC (RFB) for "vnc", a serial line for "serial".
 */
export type ConsoleEndpoint = { path: string } | { host: string; port: number };

/**
 * What a driver may ask of the host's network layer for one NIC. The NIC's network (bridge, DHCP,
 * firewall) is already built when the driver is asked: a driver that only needs the bridge's name
 * (`nic.network.bridge`) asks for nothing.
 */
export interface NicNetworkPort {
  /**
   * Creates the tap named `nic.tap` on the NIC's bridge (idempotent); with `owner`, a tap that user may
   * attach to without privileges (an unowned tap, not in use, is made again with that owner).
   */
  ensureTap(nic: NicSpec, owner?: TapOwner): Promise<void>;
  /** Removes a tap; a missing one is a no-op. */
  removeTap(tap: string): Promise<void>;
}

export interface HypervisorDriver {
  readonly kind: HypervisorKind;
  /** Probes the host: is the hypervisor installed, which version, is acceleration usable. */
  detect(): Promise<HypervisorFacts>;
  /** Creates the VM's disk (copy-on-write over the base image) and run directory, then starts it. */
  create(spec: VmSpec, onProgress?: (p: ProgressReport) => void): Promise<VmStatus>;
  /** Starts an existing, stopped VM from its persisted spec. Starting a running VM is a no-op. */
  start(id: string): Promise<VmStatus>;
  /** Graceful power-down (ACPI), forced after `timeoutMs`. Stopping a stopped VM is a no-op. */
  stop(id: string, opts?: { timeoutMs?: number }): Promise<{ forced: boolean }>;
  reboot(id: string): Promise<void>;
  /** Stops the VM if needed and removes its disk and run files. Deleting a missing VM is a no-op. */
  delete(id: string): Promise<void>;
  /**
   * Null when this driver has no such VM: the registry finds a VM's driver by asking each one, so a
   * quick status must be cheap and must never claim another driver's VM. `quick`: process liveness
   * only, without asking the hypervisor (cheap enough for every heartbeat).
   */
  status(id: string, opts?: { quick?: boolean }): Promise<VmStatus | null>;
  /**
   * Every VM this driver finds on the host (run directories), with its real state: used at agent start
   * to re-adopt running VMs, report dead ones as stopped, and clean up leftovers.
   */
  list(opts?: { quick?: boolean }): Promise<VmStatus[]>;
  /** The spec the VM was created with (as persisted), or null when there is no such VM. */
  readSpec?(id: string): Promise<VmSpec | null>;
  /** Graphical console clients connected to the VM right now (from the hypervisor), or null if unknown. */
  countViewers?(id: string): Promise<number | null>;
  /**
   * Where the console bridge reaches this VM's `kind` console; null when the driver has no such VM. A
   * VM that exists but is not running may still get an endpoint: connecting to it then fails.
   */
  consoleEndpoint(id: string, kind: ConsoleKind): Promise<ConsoleEndpoint | null>;
  /**
   * Absolute paths of the base images this driver's VMs still depend on (running or stopped): the
   * image cache never evicts them.
   */
  baseImagesInUse(): Promise<string[]>;
  /** Readies one NIC before the VM starts, asking the network layer for what this hypervisor needs. */
  prepareNic(nic: NicSpec, network: NicNetworkPort): Promise<void>;
  /** Undoes prepareNic after the VM is deleted. */
  releaseNic(nic: NicSpec, network: NicNetworkPort): Promise<void>;

  /**
   * Gives a stopped VM another size: the persisted spec gets the new vCPUs and RAM (used from the next
   * start) and the disk grows to `diskGiB` (never shrinks: a smaller size leaves the disk as it is).
   * Refuses a running VM. Absolute sizes, so doing it twice is doing it once. Optional: a driver without
   * it makes resize jobs fail with "the <kind> driver does not support resizing".
   */
  resize?(id: string, size: VmSize, onProgress?: (p: ProgressReport) => void): Promise<void>;

  /**
   * Back to the base: powers the VM off at once (no guest shutdown), makes its disk fresh from its base
   * (`base` when given, recorded in the spec) and starts it. Running or stopped, throw-away or not.
   * Optional: a driver without it makes reset jobs fail with "the <kind> driver does not support reset".
   */
  reset?(id: string, base?: ResetBase, onProgress?: (p: ProgressReport) => void): Promise<VmStatus>;

  /**
   * A PNG of the VM's display taken by the hypervisor (no software in the guest); null when the VM is
   * not running or the driver has no such VM.
   */
  screenshot?(id: string): Promise<Buffer | null>;

  // ---- storage (snapshots, capture, volumes); optional so drivers without it say "not supported" ----
  /** A disk snapshot named `tag` (crash-consistent while running); returns the disk usage it pins. */
  createSnapshot?(id: string, tag: string): Promise<{ sizeBytes: number }>;
  /** Brings the disk back to the snapshot; the VM must be stopped. */
  revertSnapshot?(id: string, tag: string): Promise<void>;
  /** Removes the snapshot; deleting a missing one is a no-op. */
  deleteSnapshot?(id: string, tag: string): Promise<void>;
  /** Writes the whole disk (with its base) as one standalone qcow2 at `target`, stopped or running. */
  exportDisk?(
    id: string,
    target: string,
    onProgress?: (fraction: number) => void,
  ): Promise<{ sizeBytes: number }>;
  /** Creates an empty data volume on this host (idempotent). */
  createVolume?(volumeId: string, sizeGiB: number): Promise<void>;
  /** Removes a volume's file; refuses while a VM's spec still names it. Missing is a no-op. */
  deleteVolume?(volumeId: string): Promise<void>;
  /** Attaches a volume (hot-plug when running) and records it in the VM's spec. Idempotent. */
  attachVolume?(id: string, volumeId: string): Promise<VolumeAttachment>;
  /** Detaches a volume (hot-unplug when running, waiting for the guest) and drops it from the spec. */
  detachVolume?(id: string, volumeId: string): Promise<void>;
}
