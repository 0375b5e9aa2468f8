// Attacks across the lab boundary through a terminal, on real MariaDB and Redis and the portal's route
// handlers: a terminal of lab A gets only lab A's desktops, whatever its student holds elsewhere or
// whatever ticket it presents; its seat cannot be lab B's desktop; a student outside lab A's group
// cannot sign in there; a console ticket of the kiosk dies with the sign-out, the revoke or a move.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances, terminals } from "@/db/schema";
import { getServices } from "@/server/services";
import {
  makeLabWithPool as makeLabWithPoolOf,
  openKioskTerminal,
  type LabWithPool,
} from "./testing/kiosk-terminal";
import { authorizeConsole } from "@/server/domain/consoles/authorize-console";
import { storeConsoleTicket } from "@/server/domain/consoles/console-tickets";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import * as terminalTicketRoute from "@/app/api/v1/terminals/console-ticket/route";

let s: TestServices;
const portal = "http://portal";
type Actor = Awaited<ReturnType<typeof makeUser>>;

type Lab = LabWithPool;

let hostId: string;
let superAdm: Actor;
let both: Actor; // a student of A's and B's groups
let onlyB: Actor; // a student of B's group only
let labA: Lab;
let labB: Lab;

const makeLabWithPool = () => makeLabWithPoolOf(s, { hostId, ownerId: superAdm.id, size: 4 });

/** An approved terminal of the lab, and a kiosk session opened through its config's one-time link. */
async function kioskOf(labId: number, seatInstanceId: string | null = null) {
  const kiosk = await openKioskTerminal(s, superAdm, { labId, seatInstanceId, mac: "02:00:00:00:00:01" });
  return { ...kiosk, terminalId: kiosk.id };
}

const consoleDeps = () => ({
  db: s.db,
  redis: s.redis,
  redisPrefix: getServices().settings.redisPrefix,
  ticketKey: getServices().settings.consoleTicketKey,
  hostDownAfterSeconds: 30,
});
const ticketStore = () => ({
  redis: s.redis,
  prefix: getServices().settings.redisPrefix,
  key: getServices().settings.consoleTicketKey,
});

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  // Up for as long as this file runs, with a console address: an admitted ticket gets a target.
  await s.db
    .update(hosts)
    .set({ consoleUrl: "ws://127.0.0.1:9", lastHeartbeatAt: new Date(Date.now() + 3600_000) })
    .where(eq(hosts.id, hostId));
  superAdm = await makeUser(s, "superAdm", []);
  labA = await makeLabWithPool();
  labB = await makeLabWithPool();
  both = await makeUser(s, "user", [labA.groupId, labB.groupId]);
  onlyB = await makeUser(s, "user", [labB.groupId]);
});
afterAll(async () => s?.close());

describe("a terminal of lab A", () => {
  it("gives the student lab A's desktop, never the one they hold in lab B, and tickets bound to both", async () => {
    const inB = await labB.desktop(both.id);
    const spareA = await labA.desktop();
    const kiosk = await kioskOf(labA.labId);
    expect((await kiosk.signIn(both)).status).toBe(200);
    const opened = (await (await kiosk.desktop()).json()) as { instanceId: string; ready: boolean };
    expect(opened).toMatchObject({ instanceId: spareA, ready: true });
    const [row] = await s.db.select().from(instances).where(eq(instances.id, spareA));
    expect(row!.assignedTo).toBe(both.id);

    const issued = (await (await kiosk.ticket()).json()) as { ticket: string; path: string };
    expect(issued.path).toBe(`/console/vnc/${spareA}`);
    // The kiosk's ticket cannot be pointed at lab B's desktop.
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: inB, ticket: issued.ticket }),
    ).rejects.toMatchObject({ kind: "UNAUTHORIZED" });
    // A ticket sealed for this terminal and student but naming lab B's desktop (as if issued): refused.
    const forged = await storeConsoleTicket(ticketStore(), {
      userId: both.id,
      instanceId: inB,
      kind: "vnc",
      terminalId: kiosk.terminalId,
    });
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: inB, ticket: forged }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    // A fresh ticket for lab A's desktop passes (the student as they are now, the terminal approved).
    const good = (await (await kiosk.ticket()).json()) as { ticket: string };
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: spareA, ticket: good.ticket }),
    ).resolves.toMatchObject({ instanceId: spareA, limitKey: `user:${both.id}` });

    // Sign-out releases lab A's desktop (not lab B's) and the next ticket is refused.
    const late = (await (await kiosk.ticket()).json()) as { ticket: string };
    expect((await kiosk.signOut()).status).toBe(200);
    const [releasedA] = await s.db.select().from(instances).where(eq(instances.id, spareA));
    const [keptB] = await s.db.select().from(instances).where(eq(instances.id, inB));
    expect(releasedA!.assignedTo).toBeNull();
    expect(keptB!.assignedTo).toBe(both.id);
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: spareA, ticket: late.ticket }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    expect((await kiosk.ticket()).status).toBe(401);
    const [t] = await s.db.select().from(terminals).where(eq(terminals.id, kiosk.terminalId));
    expect(t!.signedInUserId).toBeNull();
  });

  it("refuses a student outside lab A's group, and a terminal that is revoked meanwhile", async () => {
    await labA.desktop();
    const kiosk = await kioskOf(labA.labId);
    const refused = await kiosk.signIn(onlyB);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { serverMessage: { code: string } }).serverMessage.code).toBe(
      "kiosk.notInLab",
    );
    expect((await kiosk.desktop()).status).toBe(401);

    expect((await kiosk.signIn(both)).status).toBe(200);
    expect((await kiosk.desktop()).status).toBe(200);
    const issued = (await (await kiosk.ticket()).json()) as { ticket: string; path: string };
    await callerFor(s, superAdm).terminals.revoke({ id: kiosk.terminalId });
    expect((await kiosk.desktop()).status).toBe(403);
    await expect(
      authorizeConsole(consoleDeps(), {
        kind: "vnc",
        instanceId: issued.path.split("/").pop()!,
        ticket: issued.ticket,
      }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    // The student's desktop there was released with the revoke.
    const [row] = await s.db
      .select()
      .from(instances)
      .where(eq(instances.id, issued.path.split("/").pop()!));
    expect(row!.assignedTo).toBeNull();
  });

  it("cannot be seated at lab B's desktop, and a seat of lab A is shown without a sign-in", async () => {
    const seatB = await labB.desktop();
    await expect(kioskOf(labA.labId, seatB)).rejects.toThrow();
    const seatA = await labA.desktop();
    const kiosk = await kioskOf(labA.labId, seatA);
    await expect(
      callerFor(s, superAdm).terminals.update({ id: kiosk.terminalId, seatInstanceId: seatB }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await kiosk.signIn(both)).status).toBe(409);
    const shown = (await (await kiosk.desktop()).json()) as { instanceId: string };
    expect(shown.instanceId).toBe(seatA);
    const issued = (await (await kiosk.ticket()).json()) as { ticket: string };
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: seatA, ticket: issued.ticket }),
    ).resolves.toMatchObject({ instanceId: seatA, limitKey: `terminal:${kiosk.terminalId}` });
    // A native client of the seat terminal gets a ticket with a signed request, for the seat only.
    const nativePath = "/api/v1/terminals/console-ticket";
    const native = await terminalTicketRoute.POST(
      new Request(`${portal}${nativePath}`, {
        method: "POST",
        headers: signTerminalRequest({ id: kiosk.terminalId, secret: kiosk.secret }, "POST", nativePath),
      }),
    );
    expect(native.status).toBe(200);
    const nativeTicket = (await native.json()) as { ticket: string; path: string };
    expect(nativeTicket.path).toBe(`/console/vnc/${seatA}`);
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: seatA, ticket: nativeTicket.ticket }),
    ).resolves.toMatchObject({ instanceId: seatA });
    // A seat ticket (no student) for another desktop of the same lab is refused: the seat is the only one.
    const otherA = await labA.desktop();
    const forged = await storeConsoleTicket(ticketStore(), {
      userId: null,
      instanceId: otherA,
      kind: "vnc",
      terminalId: kiosk.terminalId,
    });
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: otherA, ticket: forged }),
    ).rejects.toMatchObject({ kind: "FORBIDDEN" });
    // A ticket with no student and no terminal is no ticket.
    const orphan = await storeConsoleTicket(ticketStore(), { userId: null, instanceId: seatA, kind: "vnc" });
    await expect(
      authorizeConsole(consoleDeps(), { kind: "vnc", instanceId: seatA, ticket: orphan }),
    ).rejects.toMatchObject({ kind: "UNAUTHORIZED" });
  });

  it("a teacher of another group neither sees nor manages lab A's terminals", async () => {
    const kiosk = await kioskOf(labA.labId);
    const teacherA = await makeUser(s, "powerAdm", [labA.groupId]);
    const teacherB = await makeUser(s, "powerAdm", [labB.groupId]);
    const seenByA = await callerFor(s, teacherA).terminals.list();
    expect(seenByA.map((t) => t.id)).toContain(kiosk.terminalId);
    const seenByB = await callerFor(s, teacherB).terminals.list();
    expect(seenByB.map((t) => t.id)).not.toContain(kiosk.terminalId);
    await expect(
      callerFor(s, teacherB).terminals.update({ id: kiosk.terminalId, name: "mine now" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(s, teacherB).terminals.revoke({ id: kiosk.terminalId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Lab A's teacher cannot move it into lab B either.
    await expect(
      callerFor(s, teacherA).terminals.update({ id: kiosk.terminalId, labId: labB.labId }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await callerFor(s, teacherA).terminals.update({ id: kiosk.terminalId, name: "Seat 7" });
  });
});
