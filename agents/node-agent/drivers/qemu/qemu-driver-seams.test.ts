// What the QEMU driver tells the rest of the agent about its VMs' files, without running QEMU: where
// each console is, which base images its VMs need, and what its NICs need from the network.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NicSpec } from "../../../protocol/network";
import { makeNetworkSpec } from "../../network/testing/network-fixtures";
import { QemuDriver } from "./qemu-driver";

let stateDir: string;
let driver: QemuDriver;
const vm = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "qseam-"));
  driver = new QemuDriver({ stateDir });
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

describe("QemuDriver seams", () => {
  it("names the VM's VNC and serial sockets as its console endpoints, and none for a VM it does not have", async () => {
    expect(await driver.consoleEndpoint(vm, "vnc")).toBeNull();
    await mkdir(join(stateDir, "vms", vm), { recursive: true });
    expect(await driver.consoleEndpoint(vm, "vnc")).toEqual({
      path: join(stateDir, "vms", vm, "run", "vnc.sock"),
    });
    expect(await driver.consoleEndpoint(vm, "serial")).toEqual({
      path: join(stateDir, "vms", vm, "run", "serial.sock"),
    });
  });

  it("lists the base image each VM's record names, even a record the strict schema would refuse", async () => {
    const dirs = ["vm-a", "vm-b", "vm-c"].map((id) => join(stateDir, "vms", id));
    for (const d of dirs) await mkdir(d, { recursive: true });
    await writeFile(join(dirs[0]!, "spec.json"), JSON.stringify({ spec: { baseImagePath: "/cache/aaa" } }));
    await writeFile(join(dirs[1]!, "spec.json"), "{ half-written");
    // vm-c has no record yet (being created: the image cache's lease covers it).
    expect(await driver.baseImagesInUse()).toEqual(["/cache/aaa"]);
  });

  it("asks the network layer for a tap per NIC, and removes it again", async () => {
    const asked: string[] = [];
    const port = {
      ensureTap: async (n: NicSpec) => void asked.push(`ensureTap ${n.tap}`),
      removeTap: async (tap: string) => void asked.push(`removeTap ${tap}`),
    };
    const nic: NicSpec = {
      tap: "ectap1",
      mac: "02:ec:00:00:00:0a",
      ip: "10.20.30.10",
      network: makeNetworkSpec(),
    };
    await driver.prepareNic(nic, port);
    await driver.releaseNic(nic, port);
    expect(asked).toEqual(["ensureTap ectap1", "removeTap ectap1"]);
  });
});
