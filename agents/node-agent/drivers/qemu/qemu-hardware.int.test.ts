// The guest hardware model on real QEMU (TCG) with the real test guest: every combination of firmware
// (BIOS, UEFI via OVMF), disk bus (virtio, SATA/AHCI) and NIC model (virtio, e1000), USB tablet on,
// boots — and the guest itself reports what it saw (its rcS prints /sys facts on the serial console:
// /sys/firmware/efi, the disk's driver, eth0's driver, the tablet in /proc/bus/input/devices).
// Each NIC is a bare tap inside a network namespace this test makes: no traffic leaves it.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import type { Hardware } from "../../../protocol/hardware";
import type { NicSpec } from "../../../protocol/network";
import {
  createNamespace,
  deleteNamespace,
  runIn,
  uniqueNamespaceName,
} from "../../network/testing/test-namespaces";
import type { VmSpec } from "../hypervisor-driver";
import { QemuDriver } from "./qemu-driver";
import { killProcessesUnder } from "./testing/kill-test-vms";
import { waitForSerialLog } from "./testing/serial-log";
import { resolveVmPaths } from "./vm-paths";

const COMBOS = (["bios", "uefi"] as const).flatMap((firmware) =>
  (["virtio", "sata"] as const).flatMap((diskBus) =>
    (["virtio", "e1000"] as const).map((nicModel) => ({ firmware, diskBus, nicModel })),
  ),
);
/** Two cores: four TCG guests at a time keep each boot well inside its timeout. */
const PARALLEL = 4;

let stateDir: string;
let baseImage: string;
let ns: string;
let driver: QemuDriver;

function nicFor(i: number): NicSpec {
  return {
    tap: `echw${i}`,
    mac: `52:54:00:ec:00:${String(10 + i).padStart(2, "0")}`,
    ip: `10.99.0.${10 + i}`,
    network: {
      id: randomUUID(),
      name: "hardware-test",
      revision: 1,
      bridge: "ecbrhwtest",
      cidr: "10.99.0.0/24",
      gateway: "10.99.0.1",
      dnsServers: [],
      vlanId: null,
      uplink: null,
      nat: false,
      reservations: [],
      portForwards: [],
    },
  };
}

beforeAll(async () => {
  baseImage = await ensureTestImage();
  stateDir = await mkdtemp(join(tmpdir(), "qh-"));
  ns = uniqueNamespaceName();
  await createNamespace(ns);
  for (let i = 0; i < COMBOS.length; i++)
    await runIn(ns, ["ip", "tuntap", "add", "dev", nicFor(i).tap, "mode", "tap"]);
  driver = new QemuDriver({ stateDir, netns: ns });
}, 300_000);

afterAll(async () => {
  if (stateDir) {
    await killProcessesUnder(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  }
  if (ns) await deleteNamespace(ns);
});

async function bootAndReport(i: number): Promise<string> {
  const { firmware, diskBus, nicModel } = COMBOS[i]!;
  const hardware: Hardware = { firmware, diskBus, nicModel, usbTablet: true, keyboardLayout: "de" };
  const spec: VmSpec = {
    id: randomUUID(),
    name: `hw-${firmware}-${diskBus}-${nicModel}`,
    vcpus: 1,
    memoryMiB: 256, // OVMF unpacks the test guest's unified kernel image: 192 MiB is too little
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
    nics: [nicFor(i)],
    hardware,
  };
  const paths = resolveVmPaths(stateDir, spec.id);
  const started = Date.now();
  await driver.create(spec).catch(async (err: Error) => {
    const log = await readFile(join(paths.runDir, "qemu.log"), "utf8").catch(() => "");
    throw new Error(`${spec.name}: ${err.message}\n${log}`);
  });
  const log = await waitForSerialLog(
    paths.serialLog,
    (l) => /EDUCLOUD-HW [^\r\n]*\r?\n/.test(l) && l.includes("EDUCLOUD-TABLET present"),
    // Alone, four boots at a time take ≈40 s each; beside the other integration files on two cores, ≈100 s.
    180_000,
  );
  await driver.delete(spec.id);
  console.info(`[qemu-hardware] ${spec.name}: booted and reported in ${Date.now() - started} ms`);
  return /EDUCLOUD-HW (.*?)\r?\n/.exec(log)![1]!;
}

describe("guest hardware model (real QEMU, real test guest)", () => {
  it("boots every firmware × disk bus × NIC combination with a tablet, and the guest sees that hardware", async () => {
    const started = Date.now();
    const seen: string[] = new Array(COMBOS.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < COMBOS.length) {
          const i = next++;
          seen[i] = await bootAndReport(i);
        }
      }),
    );
    console.info(`[qemu-hardware] ${COMBOS.length} boots in ${Date.now() - started} ms`);
    expect(seen).toEqual(
      COMBOS.map(
        (c) =>
          `firmware=${c.firmware} disk=${c.diskBus === "sata" ? "sda" : "vda"} ` +
          `disk_driver=${c.diskBus === "sata" ? "ahci" : "virtio_blk"} nic=${c.nicModel === "e1000" ? "e1000" : "virtio_net"}`,
      ),
    );
  }, 400_000);
});
