// Issue 14's review: a terminal's HMAC covered method, path, time and nonce but not the body, so a request
// caught on the way could be sent on with another body under the same signature. The signed text now
// ends with the body's SHA-256; the boot script (the real file, run here against the real routes) signs
// the same way.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, terminals } from "@/db/schema";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { serveRoutes } from "@/server/testing/serve-route";
import * as enrolRoute from "@/app/api/v1/terminals/enrol/route";
import * as configRoute from "@/app/api/v1/terminals/config/route";
import * as terminalTicketRoute from "@/app/api/v1/terminals/console-ticket/route";
import { makeLabWithPool, openKioskTerminal, type LabWithPool } from "./testing/kiosk-terminal";

let s: TestServices;
let superAdm: Awaited<ReturnType<typeof makeUser>>;
let lab: LabWithPool;
const TICKET = "/api/v1/terminals/console-ticket";

beforeAll(async () => {
  s = openTestServices();
  const hostId = await makeHost(s);
  await s.db
    .update(hosts)
    .set({ consoleUrl: "ws://127.0.0.1:9", lastHeartbeatAt: new Date(Date.now() + 3600_000) })
    .where(eq(hosts.id, hostId));
  superAdm = await makeUser(s, "superAdm", []);
  lab = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 3 });
});
afterAll(async () => s?.close());

const post = (headers: Record<string, string>, body?: string) =>
  terminalTicketRoute.POST(
    new Request(`http://portal${TICKET}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    }),
  );

describe("a terminal's signature covers the body", () => {
  it("refuses a signed request sent on with another body, and takes it with the body it was signed with", async () => {
    const seat = await lab.desktop();
    const kiosk = await openKioskTerminal(s, superAdm, {
      labId: lab.labId,
      seatInstanceId: seat,
      mac: "02:00:00:00:00:5b",
    });
    const t = { id: kiosk.id, secret: kiosk.secret };

    // Signed without a body, sent with one.
    const tampered = await post(signTerminalRequest(t, "POST", TICKET), '{"seat":"another"}');
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { serverMessage: { code: string } }).serverMessage.code).toBe(
      "terminals.badSignature",
    );
    // Signed with one body, sent with another of the same length.
    const signedFor = '{"a":1}';
    const swapped = await post(signTerminalRequest(t, "POST", TICKET, { body: signedFor }), '{"a":2}');
    expect(swapped.status).toBe(401);

    // The same requests with the bodies they were signed with pass.
    expect((await post(signTerminalRequest(t, "POST", TICKET))).status).toBe(200);
    expect((await post(signTerminalRequest(t, "POST", TICKET, { body: signedFor }), signedFor)).status).toBe(
      200,
    );
  });

  it("refuses a body larger than a terminal ever sends, before checking anything else", async () => {
    const kiosk = await openKioskTerminal(s, superAdm, { labId: lab.labId, mac: "02:00:00:00:00:5c" });
    const big = "x".repeat(64 * 1024);
    const res = await post(
      signTerminalRequest({ id: kiosk.id, secret: kiosk.secret }, "POST", TICKET, { body: big }),
      big,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { serverMessage: { code: string } }).serverMessage.code).toBe(
      "terminals.bodyTooLarge",
    );
  });

  it("the boot script signs as the portal checks: it enrols, waits for approval, then opens the kiosk link", async () => {
    const portal = await serveRoutes([
      { pattern: "/api/v1/terminals/enrol", handler: enrolRoute.POST },
      { pattern: "/api/v1/terminals/config", handler: configRoute.GET },
    ]);
    const stateDir = mkdtempSync(join(tmpdir(), "terminal-boot-"));
    try {
      const script = spawn("sh", ["scripts/terminal-boot.sh"], {
        env: {
          ...process.env,
          PORTAL: portal.url,
          STATE_DIR: stateDir,
          BROWSER: "echo",
          MAC: "02:00:00:00:00:5d",
          POLL: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      script.stdout.on("data", (d: Buffer) => (out += d.toString()));
      script.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => script.once("exit", (code) => r(code)));
      // Enrolled: the id is kept; it waits (its signed polls are answered "pending", not "bad signature").
      let id = "";
      for (let i = 0; i < 100 && !id; i++) {
        await new Promise((r) => setTimeout(r, 100));
        id = (() => {
          try {
            return readFileSync(join(stateDir, "id"), "utf8").trim();
          } catch {
            return "";
          }
        })();
      }
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      for (let i = 0; i < 50 && !/approval/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
      expect(err).toMatch(/waits for an administrator's approval/);
      expect(err).not.toMatch(/signature is wrong/);

      await callerFor(s, superAdm).terminals.approve({ id, labId: lab.labId, seatInstanceId: null });
      expect(await exited).toBe(0);
      expect(out).toMatch(/\/api\/v1\/kiosk\/start\?token=[A-Za-z0-9_-]{43}/);
      const [row] = await s.db.select().from(terminals).where(eq(terminals.id, id));
      expect(row!.state).toBe("approved");
    } finally {
      await portal.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});
