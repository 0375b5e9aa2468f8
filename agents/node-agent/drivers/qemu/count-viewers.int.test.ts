// Who is watching, from QEMU itself (QMP query-vnc), with no software in the guest.
import { connect } from "node:net";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import { QemuDriver } from "./qemu-driver";
import { resolveVmPaths } from "./vm-paths";

let dir: string;
let driver: QemuDriver;
const id = randomUUID();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cv-"));
  driver = new QemuDriver({ stateDir: dir });
  await driver.create({
    id,
    name: "viewers",
    vcpus: 1,
    memoryMiB: 64,
    diskGiB: 1,
    baseImagePath: await ensureTestImage(),
    baseImageFormat: "qcow2",
    accel: "tcg",
  });
}, 60_000);
afterAll(async () => {
  await driver.delete(id).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** A VNC client far enough into the handshake for QEMU to list it. */
function openViewer(): Promise<import("node:net").Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(resolveVmPaths(dir, id).vncSocket);
    sock.once("error", reject);
    sock.once("data", () => {
      sock.write("RFB 003.008\n");
      setTimeout(() => resolve(sock), 300);
    });
  });
}

describe("countViewers", () => {
  it("counts VNC clients as they come and go", async () => {
    expect(await driver.countViewers(id)).toBe(0);
    const a = await openViewer();
    const b = await openViewer();
    expect(await driver.countViewers(id)).toBe(2);
    a.destroy();
    b.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(await driver.countViewers(id)).toBe(0);
  }, 30_000);
});
