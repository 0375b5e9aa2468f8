// A student who walked away from a lab PC's kiosk still signed in does what the portal tells them to do on
// a shared computer: "sign out everywhere" (or an admin resets their password, or disables them). The
// attack: the kiosk is not a portal session, so it stayed signed in for its 16 hours — the next person at
// that PC opened the student's desktop (a fresh one, as the portal sign-out had released the old) and got
// console tickets as them. The kiosk's sign-in now ends with the student's other sessions.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances, terminals } from "@/db/schema";
import { openKioskTerminal } from "./testing/kiosk-terminal";
import {
  callerFor,
  makeGroup,
  makeHost,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makePool, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";

let s: TestServices;
type Actor = Awaited<ReturnType<typeof makeUser>>;
let superAdm: Actor;
let groupId: number;
let labId: number;
let spare: () => Promise<string>;

const kioskOf = () => openKioskTerminal(s, superAdm, { labId, mac: "02:00:00:00:00:0b" });

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
