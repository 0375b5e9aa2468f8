// Thumbnails through the console bridge in front of a real QEMU (TCG) running the test guest: a PNG of
// the VM's screen taken by QEMU itself (QMP screendump, nothing in the guest), only for a grant of kind
// "thumbnail" for that VM on this host, checked exactly as console grants are. One VM, 128 MiB, no
// network; afterAll kills every QEMU started under the temp state dir.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage } from "@/server/testing/test-image";
import {
  consoleSigningKeyFromSeed,
  exportVerifyKey,
  importVerifyKey,
  signConsoleGrant,
  type GrantKind,
} from "../../protocol/console-grant";
import { AGENT_THUMBNAIL_PATH } from "../../protocol/index";
import { DriverRegistry } from "../drivers/driver-registry";
import { QemuDriver } from "../drivers/qemu/qemu-driver";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { BANNER, waitForSerialLog } from "../drivers/qemu/testing/serial-log";
import { resolveVmPaths } from "../drivers/qemu/vm-paths";
import { runOnGuest } from "../network/testing/guest-shell";
import { startConsoleServer, type ConsoleServer } from "./console-server";
import { openConsole } from "./testing/open-console";

const portalKey = consoleSigningKeyFromSeed(randomBytes(32));
const hostId = randomUUID();
const vmId = randomUUID();
let stateDir: string;
let driver: QemuDriver;
let server: ConsoleServer;

const grantFor = (
  kind: GrantKind,
  over: { instanceId?: string; hostId?: string; exp?: number } = {},
  key = portalKey,
) => signConsoleGrant({ hostId, instanceId: vmId, kind, exp: Date.now() + 15_000, ...over }, key);

const httpBase = () => server.url.replace(/^ws:/, "http:");
const fetchThumbnail = (grant: string) =>
  fetch(`${httpBase()}${AGENT_THUMBNAIL_PATH}?grant=${encodeURIComponent(grant)}`);

/** Width and height from a PNG's IHDR, after checking the signature and the chunk's name. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  expect(png.subarray(-8, -4).toString("latin1")).toBe("IEND");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

beforeAll(async () => {
  const baseImage = await ensureTestImage();
  stateDir = await mkdtemp(join(tmpdir(), "ct-"));
  // As the agent runs it: QEMU as an unprivileged user, so the screendump is that user's file.
  driver = new QemuDriver({ stateDir, runAs: "nobody" });
  await driver.create({
    id: vmId,
    name: "thumbnail",
    vcpus: 1,
    memoryMiB: 128,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
  });
  await waitForSerialLog(resolveVmPaths(stateDir, vmId).serialLog, (l) => l.includes(BANNER), 90_000);
  const verifyKey = importVerifyKey(exportVerifyKey(portalKey));
  server = await startConsoleServer({
    hostId,
    consoles: new DriverRegistry([driver]),
    getVerifyKey: () => verifyKey,
    listen: { host: "127.0.0.1", port: 0 },
    log: pino({ level: "silent" }),
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (!stateDir) return;
  await killProcessesUnder(stateDir);
  await rm(stateDir, { recursive: true, force: true });
});

describe("thumbnails through the console bridge (real QEMU)", () => {
  it("answers a PNG of the screen that changes when text appears on the VGA console", async () => {
    const first = await fetchThumbnail(grantFor("thumbnail"));
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/png");
    expect(first.headers.get("cache-control")).toBe("no-store");
    const before = Buffer.from(await first.arrayBuffer());
    const size = pngSize(before);
    expect(size.width).toBeGreaterThanOrEqual(640);
    expect(size.height).toBeGreaterThanOrEqual(400);

    // Typed on the serial shell, shown on tty1 (the VGA text console the screendump draws).
    const text = `THUMBNAIL-${randomBytes(6).toString("hex")}`;
    const paths = resolveVmPaths(stateDir, vmId);
    expect((await runOnGuest(paths, `echo ${text} > /dev/tty1`)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500)); // the next display refresh
    const after = Buffer.from(await (await fetchThumbnail(grantFor("thumbnail"))).arrayBuffer());
    expect(pngSize(after)).toEqual(size);
    expect(after.equals(before)).toBe(false);

    // The agent left no screendump files behind in QEMU's folder.
    expect((await readdir(paths.qemuDir)).filter((f) => f.startsWith("screendump-"))).toEqual([]);
  }, 60_000);

  it("refuses forged, expired, replayed, other-host and other-VM grants", async () => {
    const forged = await fetchThumbnail(
      grantFor("thumbnail", {}, consoleSigningKeyFromSeed(randomBytes(32))),
    );
    expect([forged.status, forged.headers.get("x-educloud-console-refusal")]).toEqual([401, "bad-grant"]);
    const expired = await fetchThumbnail(grantFor("thumbnail", { exp: Date.now() - 1 }));
    expect([expired.status, expired.headers.get("x-educloud-console-refusal")]).toEqual([401, "expired"]);
    const otherHost = await fetchThumbnail(grantFor("thumbnail", { hostId: randomUUID() }));
    expect([otherHost.status, otherHost.headers.get("x-educloud-console-refusal")]).toEqual([
      403,
      "wrong-host",
    ]);
    // A grant names its VM: one for another VM never shows this one's screen.
    const otherVm = await fetchThumbnail(grantFor("thumbnail", { instanceId: randomUUID() }));
    expect([otherVm.status, otherVm.headers.get("x-educloud-console-refusal")]).toEqual([404, "no-instance"]);
    expect(otherVm.headers.get("content-type")).not.toBe("image/png");

    const once = grantFor("thumbnail");
    expect((await fetchThumbnail(once)).status).toBe(200);
    const again = await fetchThumbnail(once);
    expect([again.status, again.headers.get("x-educloud-console-refusal")]).toEqual([403, "replayed"]);
  }, 30_000);

  it("keeps console and thumbnail grants apart: neither opens the other's endpoint", async () => {
    for (const kind of ["vnc", "serial"] as const) {
      const res = await fetchThumbnail(grantFor(kind));
      expect([res.status, res.headers.get("x-educloud-console-refusal")]).toEqual([403, "wrong-kind"]);
    }
    const ws = await openConsole(server.url, grantFor("thumbnail"));
    expect(ws.ok).toBe(false);
    if (!ws.ok) expect([ws.status, ws.refusal]).toEqual([403, "wrong-kind"]);
  }, 30_000);

  it("answers no thumbnail for a stopped VM", async () => {
    await driver.stop(vmId, { timeoutMs: 10_000 });
    const res = await fetchThumbnail(grantFor("thumbnail"));
    expect([res.status, res.headers.get("x-educloud-console-refusal")]).toEqual([404, "not-running"]);
  }, 30_000);
});
