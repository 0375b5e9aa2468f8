// Terminals on real MariaDB and Redis, through the portal's own route handlers (the signed-request
// caller, the permission table, the kiosk cookie) and the admin's procedures: enrol → approve → config;
// pending, revoked, wrong-secret, replayed, stale and unsigned requests refused; one pending request per
// MAC that never touches an approved terminal; the enrolment rate limit.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminals } from "@/db/schema";
import { getServices } from "@/server/services";
import { reserveEnrolment } from "@/server/domain/terminals/enrol-limit";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import {
  callerFor,
  makeGroup,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makePool, makeProfile } from "@/server/testing/lab-fixtures";
import * as enrolRoute from "@/app/api/v1/terminals/enrol/route";
import * as configRoute from "@/app/api/v1/terminals/config/route";
import * as startRoute from "@/app/api/v1/kiosk/start/route";
import * as stateRoute from "@/app/api/v1/kiosk/state/route";

let s: TestServices;
const portal = "http://portal";
const CONFIG = "/api/v1/terminals/config";

/** A random MAC of this run (the MAC index is shared by every file of the run). */
const randomMac = () =>
  Array.from({ length: 6 }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join(":");

async function enrol(
  mac: string,
  ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
) {
  const res = await enrolRoute.POST(
    new Request(`${portal}/api/v1/terminals/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-educloud-client-ip": ip },
      body: JSON.stringify({ mac, name: uniqueName("pc") }),
    }),
  );
  return {
    status: res.status,
    body: (await res.json()) as { terminalId: string; secret: string; state: string },
  };
}

function fetchConfig(t: { id: string; secret: string }, headers = signTerminalRequest(t, "GET", CONFIG)) {
  return configRoute.GET(new Request(`${portal}${CONFIG}`, { headers }));
}

async function errorOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/json");
  return (await res.json()) as { error: string; serverMessage: { code: string } };
}

let superAdm: Awaited<ReturnType<typeof makeUser>>;
let labId: number;

beforeAll(async () => {
  s = openTestServices();
  const groupId = await makeGroup(s);
  superAdm = await makeUser(s, "superAdm", []);
  const profile = await makeProfile(s, { groupId });
  labId = await makeLab(s, { groupId, profileIds: [profile.profileId] });
  await makePool(s, { labId, profileId: profile.profileId, size: 2, spare: 0 });
});
afterAll(async () => s?.close());

describe("terminals: enrol, approve, config", () => {
  it("enrols with a MAC, is refused while pending, and after approval gets its config and a kiosk link", async () => {
    const mac = randomMac();
    const { status, body } = await enrol(mac.toUpperCase().replace(/:/g, "-"));
    expect(status).toBe(201);
    expect(body.state).toBe("pending");
    expect(body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const t = { id: body.terminalId, secret: body.secret };
    const [row] = await s.db.select().from(terminals).where(eq(terminals.id, t.id));
    expect(row!.mac).toBe(mac); // normalised: lower-case with colons
    expect(JSON.stringify(row)).not.toContain(t.secret); // the secret is not stored

    const pending = await fetchConfig(t);
    expect(pending.status).toBe(403);
    expect((await errorOf(pending)).serverMessage.code).toBe("terminals.pending");

    await callerFor(s, superAdm).terminals.approve({ id: t.id, labId, seatInstanceId: null });
    const before = Date.now();
    const ok = await fetchConfig(t);
    expect(ok.status).toBe(200);
    const config = (await ok.json()) as Record<string, unknown> & { kioskUrl: string; lab: { id: number } };
    expect(config).toMatchObject({
      state: "approved",
      show: "sign-in",
      keyboardLayout: "en-us",
      lab: { id: labId },
    });
    const origin = getServices().settings.portalOrigin;
    expect(config.kioskUrl.startsWith(`${origin}/api/v1/kiosk/start?token=`)).toBe(true);
    const [after] = await s.db.select().from(terminals).where(eq(terminals.id, t.id));
    expect(after!.lastContactAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // The kiosk link opens a kiosk session once: its cookie reaches the kiosk's state; a second use does not.
    const path = new URL(config.kioskUrl);
    const start = () => startRoute.GET(new Request(`${portal}${path.pathname}${path.search}`));
    const first = await start();
    expect(first.status).toBe(303);
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const state = await stateRoute.GET(
      new Request(`${portal}/api/v1/kiosk/state`, { headers: { cookie: cookie.split(";")[0]! } }),
    );
    expect(state.status).toBe(200);
    expect(await state.json()).toMatchObject({ show: "sign-in", lab: { id: labId }, user: null });
    const again = await start();
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(again.headers.get("location")).toBe("/kiosk?link=spent");
  });

  it("refuses a wrong secret, a replayed nonce, a stale or future timestamp and an unsigned request", async () => {
    const { body } = await enrol(randomMac());
    const t = { id: body.terminalId, secret: body.secret };
    await callerFor(s, superAdm).terminals.approve({ id: t.id, labId, seatInstanceId: null });

    const wrong = await fetchConfig({ id: t.id, secret: "x".repeat(43) });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).serverMessage.code).toBe("terminals.badSignature");

    const headers = signTerminalRequest(t, "GET", CONFIG);
    expect((await fetchConfig(t, headers)).status).toBe(200);
    const replay = await fetchConfig(t, headers);
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).serverMessage.code).toBe("terminals.replayed");

    for (const skew of [-120_000, 120_000]) {
      const stale = await fetchConfig(t, signTerminalRequest(t, "GET", CONFIG, { now: Date.now() + skew }));
      expect(stale.status).toBe(401);
      expect((await errorOf(stale)).serverMessage.code).toBe("terminals.staleRequest");
    }
    // A signature for another path or method is no signature for this one.
    const otherPath = await fetchConfig(t, signTerminalRequest(t, "GET", "/api/v1/terminals/enrol"));
    expect(otherPath.status).toBe(401);
    const otherMethod = await fetchConfig(t, signTerminalRequest(t, "POST", CONFIG));
    expect(otherMethod.status).toBe(401);

    const unsigned = await configRoute.GET(new Request(`${portal}${CONFIG}`));
    expect(unsigned.status).toBe(401);
    expect((await errorOf(unsigned)).serverMessage.code).toBe("terminals.unsigned");
    // Another terminal's id with this terminal's secret.
    const { body: other } = await enrol(randomMac());
    expect((await fetchConfig({ id: other.terminalId, secret: t.secret })).status).toBe(401);
  });

  it("a revoked terminal gets nothing: its config and its open kiosk session are refused", async () => {
    const { body } = await enrol(randomMac());
    const t = { id: body.terminalId, secret: body.secret };
    await callerFor(s, superAdm).terminals.approve({ id: t.id, labId, seatInstanceId: null });
    const config = (await (await fetchConfig(t)).json()) as { kioskUrl: string };
    const link = new URL(config.kioskUrl);
    const started = await startRoute.GET(new Request(`${portal}${link.pathname}${link.search}`));
    const cookie = started.headers.get("set-cookie")!.split(";")[0]!;

    await callerFor(s, superAdm).terminals.revoke({ id: t.id });
    const refused = await fetchConfig(t);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).serverMessage.code).toBe("terminals.revoked");
    const kiosk = await stateRoute.GET(new Request(`${portal}/api/v1/kiosk/state`, { headers: { cookie } }));
    expect(kiosk.status).toBe(403);
    // Revoked is final: it cannot be approved again (enrol anew).
    await expect(
      callerFor(s, superAdm).terminals.approve({ id: t.id, labId, seatInstanceId: null }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("enrolling a MAC again replaces its pending request, never an approved terminal, and returns a new secret", async () => {
    const mac = randomMac();
    // The same PC each time (the same address: a request from elsewhere never replaces it, see
    // server/security/terminals/enrol-same-mac.int.test.ts).
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const first = (await enrol(mac, ip)).body;
    await callerFor(s, superAdm).terminals.approve({ id: first.terminalId, labId, seatInstanceId: null });
    const second = (await enrol(mac, ip)).body;
    const third = (await enrol(mac, ip)).body;
    expect(new Set([first.secret, second.secret, third.secret]).size).toBe(3);
    expect(new Set([first.terminalId, second.terminalId, third.terminalId]).size).toBe(3);
    const rows = await s.db.select().from(terminals).where(eq(terminals.mac, mac));
    expect(rows.map((r) => [r.id, r.state]).sort()).toEqual(
      [
        [first.terminalId, "approved"],
        [third.terminalId, "pending"],
      ].sort(),
    );
    // The approved terminal still works with its own secret; the replaced request's secret opens nothing.
    expect((await fetchConfig({ id: first.terminalId, secret: first.secret })).status).toBe(200);
    expect((await fetchConfig({ id: second.terminalId, secret: second.secret })).status).toBe(401);
  });

  it("the enrolment limit holds per address and for the whole portal", async () => {
    const prefix = `${s.prefix}:${uniqueName("enrol-limit")}`;
    const limits = { perAddress: 2, perPortal: 3, windowSeconds: 60 };
    await reserveEnrolment(s.redis, prefix, "192.0.2.1", limits);
    await reserveEnrolment(s.redis, prefix, "192.0.2.1", limits);
    await expect(reserveEnrolment(s.redis, prefix, "192.0.2.1", limits)).rejects.toMatchObject({
      kind: "RATE_LIMITED",
      code: "terminals.tooManyEnrolments",
    });
    // One IPv6 client is its /64.
    await reserveEnrolment(s.redis, prefix, "2001:db8::1", limits);
    await expect(reserveEnrolment(s.redis, prefix, "2001:db8::2", limits)).rejects.toMatchObject({
      kind: "RATE_LIMITED",
    });
    await expect(reserveEnrolment(s.redis, prefix, "198.51.100.7", limits)).rejects.toMatchObject({
      kind: "RATE_LIMITED",
    });
  });

  it("the enrol route is limited too: the 61st enrolment from one address in an hour is refused with 429", async () => {
    const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const key = `${getServices().settings.redisPrefix}:terminal-enrol:addr:${ip}`;
    await s.redis.set(key, "60", "EX", 3600);
    const refused = await enrol(randomMac(), ip);
    expect(refused.status).toBe(429);
    await s.redis.del(key);
  });

  it("bad input gets a clear error", async () => {
    const res = await enrol("not-a-mac");
    expect(res.status).toBe(400);
  });
});
