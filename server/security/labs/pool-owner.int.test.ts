// Whose desktops a pool makes (pool-owner.ts): the first member of the lab's group flagged admin. The flag
// counts only for powerAdm and superAdm (loadActor, docs/security.md), but the pool owner is chosen on the
// flag alone: a teacher demoted to student keeps it, becomes the owner of every desktop of the class's
// pools, and as owner opens any classmate's desktop. Found by the attacker review of labs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
import { eq } from "drizzle-orm";
import { loadActorById } from "@/server/domain/account/load-actor";
import { controlPools } from "@/server/domain/pools/control-pools";
import {
  callerFor,
  makeGroup,
  makeHost,
  makeUser,
  openTestServices,
  recordingJobs,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makePool, makeProfile } from "@/server/testing/lab-fixtures";
import { succeeds } from "./harness";

let s: TestServices;
beforeAll(async () => {
  s = openTestServices();
  await makeHost(s, { cpuCount: 64, memoryMiB: 256 * 1024 });
});
afterAll(async () => {
  await s.close();
});

describe("a teacher demoted to student owns the class's desktops", () => {
  it("opens the console of a classmate's desktop: refused", async () => {
    const groupId = await makeGroup(s);
    // Made first (lowest id): the class's teacher until IT makes them a student again.
    const former = await makeUser(s, "powerAdm", [groupId]);
    await makeUser(s, "powerAdm", [groupId]); // the class's teacher now
    const classmate = await makeUser(s, "user", [groupId]);
    const schoolIt = await makeUser(s, "superAdm");
    await callerFor(s, schoolIt).users.update({ id: former.id, role: "user" });
    const formerNow = (await loadActorById(s.db, former.id))!;
    expect(formerNow.adminGroupIds).toEqual([]);

    const profile = await makeProfile(s, { groupId });
    const labId = await makeLab(s, { groupId, seats: 4, profileIds: [profile.profileId] });
    const poolId = await makePool(s, { labId, profileId: profile.profileId, size: 1, spare: 1 });
    await controlPools({ db: s.db, jobs: recordingJobs(), settings: testSettings(), hostPowerOps: 64 });
    const [desktop] = await s.db.select().from(instances).where(eq(instances.poolId, poolId));
    expect(desktop).toBeDefined();
    // Running and handed to the classmate.
    await s.db
      .update(instances)
      .set({ state: "RUNNING", task: null, assignedTo: classmate.id })
      .where(eq(instances.id, desktop!.id));

    const worked = await succeeds(() =>
      callerFor(s, formerNow).consoles.createTicket({ instanceId: desktop!.id, kind: "vnc" }),
    );
    expect({ owner: desktop!.ownerId === former.id, worked }).toEqual({ owner: false, worked: false });
  });
});
