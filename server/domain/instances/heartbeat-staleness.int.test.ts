// A heartbeat is a snapshot taken on the host at `at`. One taken before the instance's last change
// (a create that finished a moment later, a start) must not undo that change when it arrives late:
// the timeline once showed "Now running" → "found stopped" → "found running" within two seconds.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instanceEvents, instances } from "@/db/schema";
import {
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";
import { applyAgentEvent } from "@/server/events/agent-events";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s?.close());

describe("late heartbeats", () => {
  it("a beat taken before the RUNNING report does not mark the instance stopped; a newer one does", async () => {
    const hostId = await makeHost(s);
    const user = await makeUser(s, "user");
    const id = await makeInstanceRow(s, {
      ownerId: user.id,
      groupId: null,
      hostId,
      flavorId: await makeFlavor(s),
      imageId: await makeImageRow(s),
      state: "BUILDING",
    });
    await s.db.update(instances).set({ task: "creating" }).where(eq(instances.id, id));
    const deps = { db: s.db, jobs: recordingJobs() };
    const takenBefore = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await applyAgentEvent(deps, {
      type: "instance.state",
      hostId,
      at: new Date(),
      instanceId: id,
      state: "RUNNING",
    });

    await applyAgentEvent(deps, {
      type: "host.heartbeat",
      hostId,
      at: takenBefore,
      vms: [{ instanceId: id, state: "stopped" }],
      startup: false,
    });
    expect((await s.db.select().from(instances).where(eq(instances.id, id)))[0]!.state).toBe("RUNNING");
    const messages = (await s.db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, id))).map(
      (e) => e.message,
    );
    expect(messages).not.toContain("The VM was found stopped on its host");

    await new Promise((r) => setTimeout(r, 20));
    await applyAgentEvent(deps, {
      type: "host.heartbeat",
      hostId,
      at: new Date(),
      vms: [{ instanceId: id, state: "stopped" }],
      startup: false,
    });
    expect((await s.db.select().from(instances).where(eq(instances.id, id)))[0]!.state).toBe("STOPPED");
  });
});
