// The terminal dialog's seat picker: a lab's desktops by name, which one is a student's (no seat) and
// which terminals sit at one already; only the lab's group's admins (superAdm any) may read them, and a
// seat picked from another lab is still refused by approve.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLabWithPool, openKioskTerminal } from "@/server/security/terminals/testing/kiosk-terminal";
import {
  callerFor,
  makeHost,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { enrolTerminal } from "./enrol-terminal";
import { getServices } from "@/server/services";

let s: TestServices;
let hostId: string;
let superAdm: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s);
  superAdm = await makeUser(s, "superAdm", []);
});
afterAll(async () => s?.close());

describe("seat choices", () => {
  it("lists the lab's desktops by name, marks a student's and names the terminals seated at one", async () => {
    const lab = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 3 });
    const student = await makeUser(s, "user", [lab.groupId]);
    const spare = await lab.desktop();
    const taken = await lab.desktop(student.id);
    const seated = await openKioskTerminal(s, superAdm, {
      labId: lab.labId,
      seatInstanceId: spare,
      mac: "02:00:00:00:5e:01",
    });

    const teacher = await makeUser(s, "powerAdm", [lab.groupId]);
    const choices = await callerFor(s, teacher).terminals.seatChoices({ labId: lab.labId });
    expect(choices.map((c) => c.id).sort()).toEqual([spare, taken].sort());
    const bySeat = Object.fromEntries(choices.map((c) => [c.id, c]));
    expect(bySeat[spare]).toMatchObject({ handedOut: false, seatOf: [{ id: seated.id }] });
    expect(bySeat[taken]).toMatchObject({ handedOut: true, seatOf: [] });
    expect(bySeat[spare]!.name).toMatch(/\S/);
    // By name: the picker shows names in order.
    expect(choices.map((c) => c.name)).toEqual([...choices.map((c) => c.name)].sort());
  });

  it("refuses another group's admin and a plain user, and answers an empty list for a lab without desktops", async () => {
    const lab = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 1 });
    await lab.desktop();
    const other = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 1 });
    const otherTeacher = await makeUser(s, "powerAdm", [other.groupId]);
    await expect(
      callerFor(s, otherTeacher).terminals.seatChoices({ labId: lab.labId }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const member = await makeUser(s, "user", [lab.groupId]);
    await expect(callerFor(s, member).terminals.seatChoices({ labId: lab.labId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await callerFor(s, otherTeacher).terminals.seatChoices({ labId: other.labId })).toEqual([]);
    await expect(
      callerFor(s, superAdm).terminals.seatChoices({ labId: 2_000_000_000 }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("does not make another lab's desktop a seat: approve still refuses it", async () => {
    const labA = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 1 });
    const labB = await makeLabWithPool(s, { hostId, ownerId: superAdm.id, size: 1 });
    const seatOfB = await labB.desktop();
    const { settings } = getServices();
    const t = await enrolTerminal(
      { db: s.db, redis: s.redis, redisPrefix: settings.redisPrefix, terminalKey: settings.terminalKey },
      { mac: "02:00:00:00:5e:02" },
      null,
    );
    await expect(
      callerFor(s, superAdm).terminals.approve({
        id: t.terminalId,
        labId: labA.labId,
        seatInstanceId: seatOfB,
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
