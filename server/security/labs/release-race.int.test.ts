// Release ends the assignment in one statement and marks the desktop "resetting" in another
// (release-desktop.ts releaseRow, then desktop-jobs.ts requestDesktopReset). Between the two the desktop
// is RUNNING, unassigned and without a task: exactly what a hand-out claims. The next student then gets
// the previous student's desktop as it is (their session, their files) and a console ticket to it.
// Found by the attacker review of labs. The window is held open by locking the images table (the reset
// reads it), which no step of the hand-out or the console ticket touches.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
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

const rowOf = async (id: string) => (await s.db.select().from(instances).where(eq(instances.id, id)))[0]!;

describe("a student opens the lab while another releases their desktop", () => {
  it("is never handed the released desktop before its reset is asked for", async () => {
    const w = await makeClassLab(s, { students: 2, size: 1, spare: 1 });
    const [first, next] = w.students as [(typeof w.students)[0], (typeof w.students)[0]];
    const desktopId = await makePoolDesktop(s, {
      profileId: w.profileId,
      poolId: w.poolId,
      kind: "desktop",
      ownerId: w.teacher.id,
      groupId: w.groupId,
      hostId,
      flavorId: w.flavorId,
      imageId: w.imageId,
      assignedTo: first.id,
    });

    const conn = await s.pool.getConnection();
    let handedOver: boolean;
    let ticket: boolean;
    try {
      await conn.query("LOCK TABLES images WRITE");
      const releasing = callerFor(s, first).desktops.release({ instanceId: desktopId });
      releasing.catch(() => undefined);
      // Until the assignment has ended (the reset is then waiting to read the image).
      for (let i = 0; i < 100 && (await rowOf(desktopId)).assignedTo !== null; i++)
        await new Promise((r) => setTimeout(r, 20));
      const opened = await callerFor(s, next)
        .desktops.open({ labId: w.labId })
        .catch(() => null);
      handedOver = opened?.instanceId === desktopId;
      ticket = await succeeds(() =>
        callerFor(s, next).consoles.createTicket({ instanceId: desktopId, kind: "vnc" }),
      );
      await conn.query("UNLOCK TABLES");
      await releasing;
    } finally {
      await conn.query("UNLOCK TABLES").catch(() => undefined);
      conn.release();
    }
    expect({ handedOver, ticket }).toEqual({ handedOver: false, ticket: false });
  });
});
