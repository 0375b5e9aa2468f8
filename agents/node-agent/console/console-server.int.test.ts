// The console bridge in front of a real QEMU (TCG) running the test guest: QEMU's own VNC server and
// the guest's shell on ttyS0, reached through the agent exactly as the portal's proxy reaches it.
// One VM, 128 MiB, no network; afterAll kills every QEMU started under the temp state dir.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
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
  type ConsoleKind,
} from "../../protocol/console-grant";
import { DriverRegistry } from "../drivers/driver-registry";
import { QemuDriver } from "../drivers/qemu/qemu-driver";
import { killProcessesUnder } from "../drivers/qemu/testing/kill-test-vms";
import { BANNER, waitForSerialLog } from "../drivers/qemu/testing/serial-log";
import { resolveVmPaths } from "../drivers/qemu/vm-paths";
import { startConsoleServer, type ConsoleServer } from "./console-server";
import { openConsole, type ConsoleAttempt } from "./testing/open-console";

const portalKey = consoleSigningKeyFromSeed(randomBytes(32));
const hostId = randomUUID();
const vmId = randomUUID();
let stateDir: string;
let driver: QemuDriver;
let server: ConsoleServer;

const grantFor = (
  kind: ConsoleKind,
  over: { instanceId?: string; hostId?: string; exp?: number } = {},
  key = portalKey,
) => signConsoleGrant({ hostId, instanceId: vmId, kind, exp: Date.now() + 15_000, ...over }, key);

function opened(a: ConsoleAttempt): Extract<ConsoleAttempt, { ok: true }> {
  if (!a.ok) throw new Error(`refused: ${a.status} ${a.body}`);
  return a;
}

beforeAll(async () => {
  const baseImage = await ensureTestImage();
  // Short and under /tmp: unix socket paths must stay under 108 bytes.
  stateDir = await mkdtemp(join(tmpdir(), "cb-"));
  driver = new QemuDriver({ stateDir });
  await driver.create({
    id: vmId,
    name: "console",
    vcpus: 1,
    memoryMiB: 128,
    diskGiB: 1,
    baseImagePath: baseImage,
    baseImageFormat: "qcow2",
    accel: "tcg",
  });
  const verifyKey = importVerifyKey(exportVerifyKey(portalKey));
  server = await startConsoleServer({
    hostId,
    // As the agent runs it: the registry finds the VM's driver, the driver its sockets.
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

describe("console bridge with real QEMU", () => {
  it("opens QEMU's VNC server: the first bytes are its RFB greeting", async () => {
    const { ws, received, closed } = opened(await openConsole(server.url, grantFor("vnc")));
    expect(ws.protocol).toBe("binary");
    expect((await received.waitFor((t) => t.length >= 12, 10_000)).slice(0, 12)).toBe("RFB 003.008\n");
    ws.close();
    await closed;
  });

  it("runs a command typed over the serial console and shows its output", async () => {
    await waitForSerialLog(resolveVmPaths(stateDir, vmId).serialLog, (log) => log.includes(BANNER), 90_000);
    const { ws, received, closed } = opened(await openConsole(server.url, grantFor("serial")));
    const [a, b] = [randomInt(1000, 9999), randomInt(1000, 9999)];
    // The guest computes the number, so our own typing echoed back cannot satisfy the check.
    ws.send(`echo BRIDGE-OK-$((${a}+${b}))\n`);
    await received.waitFor((t) => new RegExp(`^BRIDGE-OK-${a + b}\\r?$`, "m").test(t), 20_000);
    ws.close();
    await closed;
  }, 120_000);

  it("refuses replayed, expired, foreign and unknown grants before any byte is proxied", async () => {
    const grant = grantFor("vnc");
    const first = opened(await openConsole(server.url, grant));
    const other = consoleSigningKeyFromSeed(randomBytes(32));
    const cases: [string, ConsoleAttempt, number][] = [
      ["replayed", await openConsole(server.url, grant), 403],
      ["expired", await openConsole(server.url, grantFor("vnc", { exp: Date.now() - 1 })), 401],
      ["other host", await openConsole(server.url, grantFor("vnc", { hostId: randomUUID() })), 403],
      ["other key", await openConsole(server.url, grantFor("vnc", {}, other)), 401],
      ["missing instance", await openConsole(server.url, grantFor("vnc", { instanceId: randomUUID() })), 404],
    ];
    for (const [what, attempt, status] of cases) expect(attempt, what).toMatchObject({ ok: false, status });
    first.ws.close();
    await first.closed;
  });

  it("lets one viewer on the serial console and several on VNC, and counts them", async () => {
    const serial = opened(await openConsole(server.url, grantFor("serial")));
    const second = await openConsole(server.url, grantFor("serial"));
    expect(second).toMatchObject({
      ok: false,
      status: 409,
      refusal: "serial-busy",
      body: "someone else has the serial console open\n",
    });
    const viewers = [
      opened(await openConsole(server.url, grantFor("vnc"))),
      opened(await openConsole(server.url, grantFor("vnc"))),
    ];
    for (const v of viewers)
      expect((await v.received.waitFor((t) => t.length >= 12, 10_000)).slice(0, 12)).toBe("RFB 003.008\n");
    expect(server.activeSessions()).toEqual(new Map([[vmId, { vnc: 2, serial: 1 }]]));

    // The serial line still works for the one who has it.
    serial.ws.send("echo STILL-$((6*7))\n");
    await serial.received.waitFor((t) => /^STILL-42\r?$/m.test(t), 20_000);

    for (const s of [serial, ...viewers]) s.ws.close();
    await Promise.all([serial, ...viewers].map((s) => s.closed));
    await expect.poll(() => server.activeSessions().size).toBe(0);
  }, 60_000);

  it("closes an open console when the VM goes away, and then refuses it", async () => {
    const viewer = opened(await openConsole(server.url, grantFor("vnc")));
    await viewer.received.waitFor((t) => t.length >= 12, 10_000);
    await driver.delete(vmId);
    expect(await viewer.closed).toEqual({ code: 1000, reason: "the VM's console closed" });
    expect(await openConsole(server.url, grantFor("vnc"))).toMatchObject({
      ok: false,
      status: 404,
      refusal: "no-instance",
    });
  }, 60_000);
});
