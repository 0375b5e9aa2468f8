// A student who walked away from a lab PC's kiosk still signed in does what the portal tells them to do on
// a shared computer: "sign out everywhere" (or an admin resets their password, or disables them). The
// attack: the kiosk is not a portal session, so it stayed signed in for its 16 hours — the next person at
// that PC opened the student's desktop (a fresh one, as the portal sign-out had released the old) and got
// console tickets as them. The kiosk's sign-in now ends with the student's other sessions.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances, terminals } from "@/db/schema";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import {
  callerFor,
  FIXTURE_PASSWORD,
  makeGroup,
  makeHost,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makePool, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";
import * as enrolRoute from "@/app/api/v1/terminals/enrol/route";
import * as configRoute from "@/app/api/v1/terminals/config/route";
import * as startRoute from "@/app/api/v1/kiosk/start/route";
import * as stateRoute from "@/app/api/v1/kiosk/state/route";
import * as signInRoute from "@/app/api/v1/kiosk/sign-in/route";
import * as desktopRoute from "@/app/api/v1/kiosk/desktop/route";
import * as ticketRoute from "@/app/api/v1/kiosk/ticket/route";

let s: TestServices;
const portal = "http://portal";
type Actor = Awaited<ReturnType<typeof makeUser>>;
let superAdm: Actor;
let groupId: number;
let labId: number;
let spare: () => Promise<string>;

async function kioskOf() {
  const res = await enrolRoute.POST(
    new Request(`${portal}/api/v1/terminals/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mac: "02:00:00:00:00:0b", name: uniqueName("pc") }),
    }),
  );
  const t = (await res.json()) as { terminalId: string; secret: string };
  await callerFor(s, superAdm).terminals.approve({ id: t.terminalId, labId, seatInstanceId: null });
  const path = "/api/v1/terminals/config";
  const config = (await (
    await configRoute.GET(
      new Request(`${portal}${path}`, {
        headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "GET", path),
      }),
    )
  ).json()) as { kioskUrl: string };
  const link = new URL(config.kioskUrl);
  const started = await startRoute.GET(new Request(`${portal}${link.pathname}${link.search}`));
  const cookie = started.headers.get("set-cookie")!.split(";")[0]!;
  const post = (route: { POST: (r: Request) => Promise<Response> }, name: string, body?: unknown) =>
    route.POST(
      new Request(`${portal}/api/v1/kiosk/${name}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    id: t.terminalId,
    signIn: (who: Actor) =>
      post(signInRoute, "sign-in", { username: who.username, password: FIXTURE_PASSWORD }),
    state: async () =>
      (await (
        await stateRoute.GET(new Request(`${portal}/api/v1/kiosk/state`, { headers: { cookie } }))
      ).json()) as { user: { username: string } | null },
    desktop: () => post(desktopRoute, "desktop"),
    ticket: () => post(ticketRoute, "ticket"),
  };
}

beforeAll(async () => {
  s = openTestServices();
  const hostId = await makeHost(s);
  await s.db
    .update(hosts)
    .set({ consoleUrl: "ws://127.0.0.1:9", lastHeartbeatAt: new Date(Date.now() + 3600_000) })
    .where(eq(hosts.id, hostId));
  superAdm = await makeUser(s, "superAdm", []);
  groupId = await makeGroup(s);
  const { profileId, flavorId, imageId } = await makeProfile(s, { groupId });
  labId = await makeLab(s, { groupId, profileIds: [profileId] });
  const poolId = await makePool(s, { labId, profileId, size: 6, spare: 0 });
  spare = async () => {
    const id = await makeProfileMachine(s, {
      profileId,
      kind: "desktop",
      ownerId: superAdm.id,
      groupId,
      hostId,
      flavorId,
      imageId,
    });
    await s.db.update(instances).set({ poolId }).where(eq(instances.id, id));
    return id;
  };
});
afterAll(async () => s?.close());

describe("a student left signed in at a kiosk", () => {
  it("is signed out there by 'sign out everywhere': no desktop, no ticket, the sign-in shows", async () => {
    await spare();
    await spare();
    const student = await makeUser(s, "user", [groupId]);
    const kiosk = await kioskOf();
    expect((await kiosk.signIn(student)).status).toBe(200);
    expect((await kiosk.desktop()).status).toBe(200);
    expect((await kiosk.ticket()).status).toBe(200);

    await callerFor(s, student).account.signOutEverywhere();
    expect((await kiosk.desktop()).status).toBe(401);
    expect((await kiosk.ticket()).status).toBe(401);
    expect((await kiosk.state()).user).toBeNull();
    // The next person can sign in there (the student's name no longer blocks the kiosk).
    const next = await makeUser(s, "user", [groupId]);
    expect((await kiosk.signIn(next)).status).toBe(200);
    const [t] = await s.db.select().from(terminals).where(eq(terminals.id, kiosk.id));
    expect(t!.signedInUserId).toBe(next.id);
  });

  it("is signed out there when an admin resets their password", async () => {
    await spare();
    const student = await makeUser(s, "user", [groupId]);
    const kiosk = await kioskOf();
    expect((await kiosk.signIn(student)).status).toBe(200);
    expect((await kiosk.desktop()).status).toBe(200);
    await callerFor(s, superAdm).users.resetPassword({ id: student.id, password: "another-Pass-123!" });
    expect((await kiosk.desktop()).status).toBe(401);
  });
});
