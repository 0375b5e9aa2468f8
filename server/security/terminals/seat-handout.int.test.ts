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
import { makeLabWithPool, openKioskTerminal } from "./testing/kiosk-terminal";
import { authorizeConsole } from "@/server/domain/consoles/authorize-console";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
type Actor = Awaited<ReturnType<typeof makeUser>>;
let hostId: string;
let superAdm: Actor;

/** A lab whose one pool has room for exactly `size` desktops, and a way to add running ones to it. */
const makeSmallLab = (size: number) => makeLabWithPool(s, { hostId, ownerId: superAdm.id, size });

/** Enrols a terminal; approves it into the lab (with the seat); opens its kiosk. */
const terminalOf = (labId: number, seatInstanceId: string | null) =>
  openKioskTerminal(s, superAdm, { labId, seatInstanceId, mac: "02:00:00:00:00:0a" });

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
