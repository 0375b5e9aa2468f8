// "While admin mode runs no new desktop of that profile starts" (docs/labs.md): placement checks it under
// the profile's lock, but other paths start a desktop of the profile without that lock. Found by the
// attacker review of labs.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
import {
  callerFor,
  makeHost,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeClassLab, makeProfileMachine } from "@/server/testing/lab-fixtures";
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

/** A class lab whose profile is in admin mode, with one stopped desktop of the profile in its pool. */
async function stoppedDesktopInAdminMode() {
  const w = await makeClassLab(s, { students: 1 });
  const common = {
    profileId: w.profileId,
    ownerId: w.teacher.id,
    groupId: w.groupId,
    hostId,
    flavorId: w.flavorId,
    imageId: w.imageId,
  };
  await makeProfileMachine(s, { ...common, kind: "admin" });
  const desktopId = await makePoolDesktop(s, {
    ...common,
    kind: "desktop",
    poolId: w.poolId,
    state: "STOPPED",
    assignedTo: w.students[0]!.id,
  });
  return { ...w, desktopId };
}

describe("a desktop of a profile in admin mode is started by another path than placement", () => {
  it("desktops.reset of a stopped desktop (the agent's reset starts it again) is refused", async () => {
    const w = await stoppedDesktopInAdminMode();
    const jobs = recordingJobs();
    const worked = await succeeds(() =>
      callerFor(s, w.students[0]!, undefined, { jobs }).desktops.reset({ instanceId: w.desktopId }),
    );
    const [row] = await s.db.select().from(instances).where(eq(instances.id, w.desktopId));
    expect({ worked, jobs: jobs.sent.map((j) => j.name), task: row!.task }).toEqual({
      worked: false,
      jobs: [],
      task: null,
    });
  });

  it("instances.start of a stopped desktop by the lab's teacher is refused", async () => {
    const w = await stoppedDesktopInAdminMode();
    const jobs = recordingJobs();
    const worked = await succeeds(() =>
      callerFor(s, w.teacher, undefined, { jobs }).instances.start({ id: w.desktopId }),
    );
    expect({ worked, jobs: jobs.sent.map((j) => j.name) }).toEqual({ worked: false, jobs: [] });
  });
});
