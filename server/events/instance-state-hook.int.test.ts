// A later area (a desktop pool, a stack) learns that an instance reached a state by subscribing to the
// hook, with the real areas wired as in production: it sees the written row, from and to, once per change.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
import { createEventDispatcher, type InstanceStateChange } from "@/server/domain/events/dispatcher";
import { registerHostEvents } from "@/server/domain/hosts/record-heartbeat";
import { registerInstanceEvents } from "@/server/domain/instances/apply-instance-event";
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

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s?.close());

describe("instance-state hook", () => {
  it("subscribers hear reported changes and heartbeat findings, not repeats or refused reports", async () => {
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
    const heard: InstanceStateChange[] = [];
    const events = createEventDispatcher([
      registerHostEvents,
      registerInstanceEvents,
      (r) => r.onInstanceState(["RUNNING", "STOPPED", "DELETED"], async (_c, ch) => void heard.push(ch)),
    ]);
    const deps = { db: s.db, jobs: recordingJobs() };
    const report = (state: "RUNNING" | "DELETED", from = hostId) =>
      events.dispatch(
        deps,
        { type: "instance.state", hostId: from, at: new Date(), instanceId: id, state },
        from,
      );

    await report("RUNNING");
    await report("RUNNING"); // a repeat is no news
    await report("DELETED", await makeHost(s)); // another host's word about this instance is not believed
    await new Promise((r) => setTimeout(r, 10));
    await events.dispatch(
      deps,
      {
        type: "host.heartbeat",
        hostId,
        at: new Date(),
        vms: [{ instanceId: id, state: "stopped" }],
        startup: false,
      },
      hostId,
    );

    expect(heard.map((h) => [h.from, h.to])).toEqual([
      ["BUILDING", "RUNNING"],
      ["RUNNING", "STOPPED"],
    ]);
    expect(heard[0]!.instance).toMatchObject({ id, hostId, state: "RUNNING", task: null });
    expect(heard[1]!.instance.state).toBe("STOPPED");
    const [row] = await s.db.select().from(instances).where(eq(instances.id, id));
    expect(row!.state).toBe("STOPPED");
  });
});
