// The console bridge against fake VM sockets: every refusal, the byte pipe, backpressure, limits.
// The same bridge against real QEMU is console-server.int.test.ts.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  consoleSigningKeyFromSeed,
  importVerifyKey,
  exportVerifyKey,
  signConsoleGrant,
  type ConsoleKind,
} from "../../protocol/console-grant";
import type { ConsoleEndpoint } from "../drivers/hypervisor-driver";
import { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from "./console-server";
import { openConsole, type ConsoleAttempt } from "./testing/open-console";
import { startFakeVm } from "./testing/fake-vm";

const portalKey = consoleSigningKeyFromSeed(randomBytes(32));
const verifyKey = importVerifyKey(exportVerifyKey(portalKey));
const hostId = randomUUID();
const vmId = randomUUID();
const log = pino({ level: "silent" });

let stateDir: string;
let fakeVm: Awaited<ReturnType<typeof startFakeVm>>;
const servers: ConsoleServer[] = [];
/** The VMs "the driver" has, with their console endpoints. */
const vms = new Map<string, Record<ConsoleKind, ConsoleEndpoint>>();
const consoles = { consoleEndpoint: async (id: string, kind: ConsoleKind) => vms.get(id)?.[kind] ?? null };

const grantFor = (
  kind: ConsoleKind,
  over: { instanceId?: string; hostId?: string; exp?: number } = {},
  key = portalKey,
) => signConsoleGrant({ hostId, instanceId: vmId, kind, exp: Date.now() + 15_000, ...over }, key);

async function start(over: Partial<ConsoleServerOptions> = {}): Promise<ConsoleServer> {
  const server = await startConsoleServer({
    hostId,
    consoles,
    getVerifyKey: () => verifyKey,
    listen: { host: "127.0.0.1", port: 0 },
    log,
    ...over,
  });
  servers.push(server);
  return server;
}

function opened(a: ConsoleAttempt): Extract<ConsoleAttempt, { ok: true }> {
  if (!a.ok) throw new Error(`refused: ${a.status} ${a.body}`);
  return a;
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "cs-"));
  fakeVm = await startFakeVm(stateDir, vmId);
  vms.set(vmId, fakeVm.endpoints);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  await fakeVm.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe("console server", () => {
  it("pipes a VNC session both ways, with the 'binary' subprotocol noVNC asks for", async () => {
    const server = await start();
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const attempt = opened(await openConsole(server.url, grantFor("vnc")));
    const { ws, received } = attempt;
    expect(ws.protocol).toBe("binary");
    await received.waitFor((t) => t === "RFB 003.008\n", 2_000);
    ws.send(Buffer.from([0, 1, 2, 255]));
    await received.waitFor((t) => t.endsWith("\u0000\u0001\u0002\u00ff"), 2_000);
    expect(server.activeSessions()).toEqual(new Map([[vmId, { vnc: 1, serial: 0 }]]));
    ws.close();
    await attempt.closed;
    await expect.poll(() => server.activeSessions().size).toBe(0);
  });

  it("refuses with plain HTTP before the handshake: no key yet, bad path, bad, replayed, expired or foreign grants", async () => {
    const noKey = await start({ getVerifyKey: () => null });
    expect(await openConsole(noKey.url, grantFor("vnc"))).toMatchObject({
      ok: false,
      status: 503,
      refusal: "no-key",
    });

    const server = await start();
    const other = consoleSigningKeyFromSeed(randomBytes(32));
    const cases: [string, ConsoleAttempt, number, string][] = [
      ["path", await openConsole(server.url, grantFor("vnc"), { path: "/other" }), 404, "not-found"],
      ["missing", await openConsole(server.url, ""), 401, "bad-grant"],
      ["garbage", await openConsole(server.url, "abc.def"), 401, "bad-grant"],
      ["other key", await openConsole(server.url, grantFor("vnc", {}, other)), 401, "bad-grant"],
      ["expired", await openConsole(server.url, grantFor("vnc", { exp: Date.now() - 1 })), 401, "expired"],
      [
        "too long-lived",
        await openConsole(server.url, grantFor("vnc", { exp: Date.now() + 3_600_000 })),
        401,
        "bad-grant",
      ],
      [
        "other host",
        await openConsole(server.url, grantFor("vnc", { hostId: randomUUID() })),
        403,
        "wrong-host",
      ],
      [
        "no instance",
        await openConsole(server.url, grantFor("vnc", { instanceId: randomUUID() })),
        404,
        "no-instance",
      ],
    ];
    for (const [what, attempt, status, refusal] of cases)
      expect(attempt, what).toMatchObject({ ok: false, status, refusal });

    const grant = grantFor("vnc");
    const first = opened(await openConsole(server.url, grant));
    expect(await openConsole(server.url, grant)).toMatchObject({
      ok: false,
      status: 403,
      refusal: "replayed",
      body: "the console grant has already been used\n",
    });
    first.ws.close();
    expect(server.activeSessions().get(vmId)?.vnc ?? 0).toBeLessThanOrEqual(1);
  });

  it("refuses a stopped VM (its driver knows it, nothing serves its console) as not running", async () => {
    const stopped = randomUUID();
    vms.set(stopped, {
      vnc: { path: join(stateDir, `${stopped}-vnc.sock`) },
      serial: { path: join(stateDir, `${stopped}-serial.sock`) },
    });
    const server = await start();
    expect(await openConsole(server.url, grantFor("serial", { instanceId: stopped }))).toMatchObject({
      ok: false,
      status: 404,
      refusal: "not-running",
    });
    expect(server.activeSessions().size).toBe(0);
  });

  it("lets one person at a time on the serial console, several on VNC, and frees the serial slot on close", async () => {
    const server = await start();
    const serial = opened(await openConsole(server.url, grantFor("serial")));
    const busy = await openConsole(server.url, grantFor("serial"));
    expect(busy).toMatchObject({
      ok: false,
      status: 409,
      refusal: "serial-busy",
      body: "someone else has the serial console open\n",
    });
    const v1 = opened(await openConsole(server.url, grantFor("vnc")));
    const v2 = opened(await openConsole(server.url, grantFor("vnc")));
    expect(server.activeSessions().get(vmId)).toEqual({ vnc: 2, serial: 1 });

    serial.ws.close();
    await serial.closed;
    await expect.poll(() => server.activeSessions().get(vmId)?.serial).toBe(0);
    const again = opened(await openConsole(server.url, grantFor("serial")));
    again.ws.send("ping\n");
    await again.received.waitFor((t) => t === "ping\n", 2_000);
    for (const s of [again, v1, v2]) s.ws.close();
  });

  it("limits sessions on the host with a clear reason", async () => {
    const server = await start({ maxSessions: 2 });
    const a = opened(await openConsole(server.url, grantFor("vnc")));
    const b = opened(await openConsole(server.url, grantFor("serial")));
    expect(await openConsole(server.url, grantFor("vnc"))).toMatchObject({
      ok: false,
      status: 503,
      refusal: "too-many",
    });
    a.ws.close();
    b.ws.close();
  });

  it("closes the WebSocket when the VM's socket closes, and the VM's socket when the client leaves", async () => {
    const server = await start();
    const before = fakeVm.sockets.length;
    const s = opened(await openConsole(server.url, grantFor("serial")));
    await expect.poll(() => fakeVm.sockets.length).toBe(before + 1);
    fakeVm.sockets.at(-1)!.destroy();
    expect(await s.closed).toEqual({ code: 1000, reason: "the VM's console closed" });

    const t = opened(await openConsole(server.url, grantFor("serial")));
    await expect.poll(() => fakeVm.sockets.length).toBe(before + 2);
    const vmSide = fakeVm.sockets.at(-1)!;
    t.ws.terminate();
    await expect.poll(() => vmSide.destroyed || vmSide.readableEnded).toBe(true);
    await expect.poll(() => server.activeSessions().size).toBe(0);
  });

  it("drops a peer that stops answering pings, so a dead proxy does not hold the serial console", async () => {
    const server = await start({ bridge: { pingMs: 100 } });
    const s = opened(await openConsole(server.url, grantFor("serial")));
    s.ws.pause(); // reads nothing, so it never sees the pings
    await expect.poll(() => server.activeSessions().size, { timeout: 2_000 }).toBe(0);
    s.ws.terminate();
  });

  it("ends open sessions with 1001 when closed", async () => {
    const server = await start();
    const s = opened(await openConsole(server.url, grantFor("vnc")));
    await server.close();
    expect(await s.closed).toEqual({ code: 1001, reason: "the host agent is stopping" });
  });
});

describe("console server backpressure", () => {
  const TOTAL = 128 * 1024 * 1024;
  const busyId = randomUUID();
  let written = 0;
  let floodVm: Awaited<ReturnType<typeof startFakeVm>>;

  beforeAll(async () => {
    // A VM that writes as fast as the bridge lets it (honouring its own socket's backpressure).
    floodVm = await startFakeVm(stateDir, busyId, (_kind, socket) => {
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (written < TOTAL) {
          written += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        socket.end();
      };
      pump();
    });
    vms.set(busyId, floodVm.endpoints);
  });
  afterAll(() => floodVm.close());

  it("stops reading the VM while the client is not reading, and delivers everything once it reads again", async () => {
    const server = await start({ bridge: { highWaterMark: 256 * 1024, lowWaterMark: 64 * 1024 } });
    const s = opened(
      await openConsole(
        server.url,
        signConsoleGrant({ hostId, instanceId: busyId, kind: "vnc", exp: Date.now() + 15_000 }, portalKey),
      ),
    );
    s.ws.pause();
    await new Promise((r) => setTimeout(r, 1_000));
    // Kernel socket buffers hold a few MiB; without backpressure the whole 128 MiB would be read.
    expect(written).toBeLessThan(48 * 1024 * 1024);
    s.ws.resume();
    await expect.poll(() => s.received.length, { timeout: 20_000 }).toBe(TOTAL);
    expect(await s.closed).toMatchObject({ code: 1000 });
  }, 30_000);
});
