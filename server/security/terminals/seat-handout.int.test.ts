// A seat terminal shows its seat desktop to whoever sits at that PC, without a sign-in. The attack: that
// desktop is also a spare of the lab's pool, so a student opening the lab (on the portal or at another
// terminal's kiosk) was handed it — and the person at the seat PC then watched and typed into that
// student's session (and the student into theirs). A seat is never handed out; a desktop already handed
// out cannot be made a seat; and should the two ever meet (a race), the seat terminal shows nothing and
// its tickets are refused rather than showing a student's desktop.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances } from "@/db/schema";
import { getServices } from "@/server/services";
import { authorizeConsole } from "@/server/domain/consoles/authorize-console";
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
import * as terminalTicketRoute from "@/app/api/v1/terminals/console-ticket/route";
import * as startRoute from "@/app/api/v1/kiosk/start/route";
import * as signInRoute from "@/app/api/v1/kiosk/sign-in/route";
import * as desktopRoute from "@/app/api/v1/kiosk/desktop/route";
import * as ticketRoute from "@/app/api/v1/kiosk/ticket/route";

let s: TestServices;
const portal = "http://portal";
type Actor = Awaited<ReturnType<typeof makeUser>>;
let hostId: string;
let superAdm: Actor;

/** A lab whose one pool has room for exactly `size` desktops, and a way to add running ones to it. */
async function makeSmallLab(size: number) {
  const groupId = await makeGroup(s);
  const { profileId, flavorId, imageId } = await makeProfile(s, { groupId });
  const labId = await makeLab(s, { groupId, profileIds: [profileId] });
  const poolId = await makePool(s, { labId, profileId, size, spare: 0 });
  const desktop = async (assignedTo: number | null = null) => {
    const id = await makeProfileMachine(s, {
      profileId,
      kind: "desktop",
      ownerId: superAdm.id,
      groupId,
      hostId,
      flavorId,
      imageId,
      assignedTo,
    });
    await s.db
      .update(instances)
      .set({ poolId, assignedAt: assignedTo ? new Date() : null })
      .where(eq(instances.id, id));
    return id;
  };
  return { groupId, labId, desktop };
}

/** Enrols a terminal; approves it into the lab (with the seat); opens its kiosk. */
async function terminalOf(labId: number, seatInstanceId: string | null) {
  const res = await enrolRoute.POST(
    new Request(`${portal}/api/v1/terminals/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mac: "02:00:00:00:00:0a", name: uniqueName("pc") }),
    }),
  );
  const t = (await res.json()) as { terminalId: string; secret: string };
  await callerFor(s, superAdm).terminals.approve({ id: t.terminalId, labId, seatInstanceId });
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
  const nativePath = "/api/v1/terminals/console-ticket";
  return {
    id: t.terminalId,
    signIn: (who: Actor) =>
      post(signInRoute, "sign-in", { username: who.username, password: FIXTURE_PASSWORD }),
    desktop: () => post(desktopRoute, "desktop"),
    ticket: () => post(ticketRoute, "ticket"),
    nativeTicket: () =>
      terminalTicketRoute.POST(
        new Request(`${portal}${nativePath}`, {
          method: "POST",
          headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "POST", nativePath),
        }),
      ),
  };
}

const consoleDeps = () => ({
  db: s.db,
  redis: s.redis,
  redisPrefix: getServices().settings.redisPrefix,
  ticketKey: getServices().settings.consoleTicketKey,
  hostDownAfterSeconds: 30,
});
const assigneeOf = async (id: string) =>
  (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!.assignedTo;

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  await s.db
    .update(hosts)
    .set({ consoleUrl: "ws://127.0.0.1:9", lastHeartbeatAt: new Date(Date.now() + 3600_000) })
    .where(eq(hosts.id, hostId));
  superAdm = await makeUser(s, "superAdm", []);
});
afterAll(async () => s?.close());

describe("a seat terminal's desktop", () => {
  it("is never handed out to a student opening the lab, on the portal or at another terminal", async () => {
    const lab = await makeSmallLab(1);
    const seat = await lab.desktop();
    const seatTerminal = await terminalOf(lab.labId, seat);
    expect(((await (await seatTerminal.desktop()).json()) as { instanceId: string }).instanceId).toBe(seat);

    const student = await makeUser(s, "user", [lab.groupId]);
    // The pool's only desktop is the seat: nothing is free for the student (not the seat).
    await expect(callerFor(s, student).desktops.open({ labId: lab.labId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await assigneeOf(seat)).toBeNull();

    const other = await makeUser(s, "user", [lab.groupId]);
    const signInTerminal = await terminalOf(lab.labId, null);
    expect((await signInTerminal.signIn(other)).status).toBe(200);
    expect((await signInTerminal.desktop()).status).toBe(409);
    expect(await assigneeOf(seat)).toBeNull();
    // The seat PC still shows its own desktop, and only that.
    expect(((await (await seatTerminal.desktop()).json()) as { instanceId: string }).instanceId).toBe(seat);
  });

  it("cannot be a desktop already handed out to a student", async () => {
    const lab = await makeSmallLab(2);
    const student = await makeUser(s, "user", [lab.groupId]);
    const theirs = await lab.desktop(student.id);
    await expect(terminalOf(lab.labId, theirs)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const spare = await lab.desktop();
    const t = await terminalOf(lab.labId, spare);
    await expect(
      callerFor(s, superAdm).terminals.update({ id: t.id, seatInstanceId: theirs }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("stops being shown, and its tickets stop working, once it is somebody's", async () => {
    const lab = await makeSmallLab(1);
    const seat = await lab.desktop();
    const seatTerminal = await terminalOf(lab.labId, seat);
    const kioskTicket = (await (await seatTerminal.ticket()).json()) as { ticket: string };
    const native = (await (await seatTerminal.nativeTicket()).json()) as { ticket: string };
    // As if a hand-out won a race with the seating: the student now works on it.
    const student = await makeUser(s, "user", [lab.groupId]);
    await s.db
      .update(instances)
      .set({ assignedTo: student.id, assignedAt: new Date() })
      .where(eq(instances.id, seat));
    expect((await seatTerminal.desktop()).status).toBe(409);
    expect((await seatTerminal.ticket()).status).toBe(409);
    expect((await seatTerminal.nativeTicket()).status).toBe(409);
    for (const ticket of [kioskTicket.ticket, native.ticket])
      await expect(
        authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: seat, ticket }),
      ).rejects.toMatchObject({ kind: "FORBIDDEN" });
  });
});
