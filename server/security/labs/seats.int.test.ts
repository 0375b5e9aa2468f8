// A lab is N seats (docs/labs.md): its pools may hold at most N desktops. Each pool is checked against
// the seats alone, and changing the seats re-checks nothing. Found by the attacker review of labs.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labProfiles, labs } from "@/db/schema";
import { callerFor, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { makeClassLab, makeProfile } from "@/server/testing/lab-fixtures";
import { succeeds } from "./harness";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(async () => {
  await s.close();
});

describe("a teacher holds more desktops in a lab than it has seats", () => {
  it("two pools of 10 in a lab of 10 seats (one per profile): the second is refused", async () => {
    const w = await makeClassLab(s, { seats: 10, size: 10, spare: 0 });
    const second = await makeProfile(s, { groupId: w.groupId });
    await s.db.insert(labProfiles).values({ labId: w.labId, profileId: second.profileId });
    const worked = await succeeds(() =>
      callerFor(s, w.teacher).pools.create({
        labId: w.labId,
        profileId: second.profileId,
        size: 10,
        spare: 10,
      }),
    );
    expect(worked).toBe(false);
  });

  it("the lab's seats lowered to 2 under a pool of 10: refused (or the pool shrunk with them)", async () => {
    const w = await makeClassLab(s, { seats: 10, size: 10, spare: 0 });
    const worked = await succeeds(() => callerFor(s, w.teacher).labs.update({ id: w.labId, seats: 2 }));
    const [lab] = await s.db.select().from(labs).where(eq(labs.id, w.labId));
    const pools = await callerFor(s, w.teacher).pools.list({ labId: w.labId });
    const held = pools.reduce((n, p) => n + p.size, 0);
    expect(worked && held > lab!.seats).toBe(false);
  });
});
