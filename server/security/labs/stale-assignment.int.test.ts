// A student's reach to a desktop comes from the assignment alone (desktops and consoles policies). When
// the student leaves the class the assignment must end with their reach to the lab: "reach re-checked at
// use" (docs/security.md, Classes and quotas). Found by the attacker review of labs.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
import { loadActorById } from "@/server/domain/account/load-actor";
import { callerFor, makeHost, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { makeClassLab } from "@/server/testing/lab-fixtures";
import { makePoolDesktop, succeeds } from "./harness";

let s: TestServices;
let hostId: string;
beforeAll(async () => {
  s = openTestServices();
  hostId = await makeHost(s, { cpuCount: 16, memoryMiB: 64 * 1024 });
});
afterAll(async () => {
  await s.close();
});

describe("a student removed from the class keeps the lab's desktop assigned to them", () => {
  it("still gets a console ticket for it and reads its teacher's messages: both must be refused", async () => {
    const w = await makeClassLab(s, { students: 1 });
    const student = w.students[0]!;
    const desktopId = await makePoolDesktop(s, {
      profileId: w.profileId,
      poolId: w.poolId,
      kind: "desktop",
      ownerId: w.teacher.id,
      groupId: w.groupId,
      hostId,
      flavorId: w.flavorId,
      imageId: w.imageId,
      assignedTo: student.id,
    });
    // The teacher takes the student out of the class (moved to another school, expelled from the course).
    await callerFor(s, w.teacher).classes.removeMembers({ id: w.groupId, userIds: [student.id] });
    const now = (await loadActorById(s.db, student.id))!;
    expect(now.groupIds).not.toContain(w.groupId);
    const api = callerFor(s, now);

    // The lab is no longer theirs to open...
    expect(await succeeds(() => api.desktops.open({ labId: w.labId }))).toBe(false);
    // ...but the desktop they had is still theirs: console, messages, reset.
    const console = await succeeds(() => api.consoles.createTicket({ instanceId: desktopId, kind: "vnc" }));
    const messages = await succeeds(() => api.desktops.messages({ instanceId: desktopId }));
    const [row] = await s.db.select().from(instances).where(eq(instances.id, desktopId));
    expect({ console, messages, assignedTo: row!.assignedTo }).toEqual({
      console: false,
      messages: false,
      assignedTo: null,
    });
  });
});
