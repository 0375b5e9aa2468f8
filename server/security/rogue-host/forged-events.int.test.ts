// Item 2: the portal takes an event's sender from the queue it arrived on. A host posting on its own
// queue about another host's instance, heartbeat or task changes nothing; about its own, it is heard.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts, instances, tasks } from "@/db/schema";
import { msg } from "@/common/message";
import { createTask } from "@/server/domain/tasks/manage-tasks";
import { makeFlavor, makeImageRow, makeInstanceRow, makeUser } from "@/server/testing/fixtures";
import { startRogueHostScene, type RogueHostScene } from "./testing/rogue-host-scene";

let scene: RogueHostScene;
let victimVm: string;
let rogueVm: string;
let victimTask: string;

beforeAll(async () => {
  scene = await startRogueHostScene();
  const { s, victim, rogue } = scene;
  const owner = await makeUser(s, "user");
  const flavorId = await makeFlavor(s);
  const imageId = await makeImageRow(s);
  const row = { ownerId: owner.id, groupId: null, flavorId, imageId };
  victimVm = await makeInstanceRow(s, { ...row, hostId: victim.hostId, state: "RUNNING" });
  rogueVm = await makeInstanceRow(s, { ...row, hostId: rogue.hostId, state: "RUNNING" });
  victimTask = await createTask(s.db, {
    kind: "image.sync",
    targetType: "image",
    targetId: imageId,
    targetName: "an image for the victim",
    hostId: victim.hostId,
    createdBy: owner.id,
    message: msg("tasks.fetching"),
  });
});
afterAll(() => scene.close());

const stateOf = async (id: string) =>
  (await scene.s.db.select().from(instances).where(eq(instances.id, id)))[0]!;
const hostRow = async (id: string) => (await scene.s.db.select().from(hosts).where(eq(hosts.id, id)))[0]!;
const taskRow = async (id: string) => (await scene.s.db.select().from(tasks).where(eq(tasks.id, id)))[0]!;

describe("rogue-host: forged events", () => {
  it("another host's instance state is not changed, whichever host the event names", async () => {
    const before = await stateOf(victimVm);
    for (const hostId of [scene.rogue.hostId, scene.victim.hostId])
      await scene.sendAsRogue({
        type: "instance.state",
        hostId,
        at: new Date(),
        instanceId: victimVm,
        state: "DELETED",
      });
    const after = await stateOf(victimVm);
    expect(after.state).toBe("RUNNING");
    expect(after).toEqual(before);
  });

  it("a heartbeat in another host's name keeps nothing alive and changes none of its facts or VMs", async () => {
    const long = new Date(Date.now() - 3600_000);
    await scene.s.db.update(hosts).set({ lastHeartbeatAt: long }).where(eq(hosts.id, scene.victim.hostId));
    const before = await hostRow(scene.victim.hostId);
    await scene.sendAsRogue({
      type: "host.heartbeat",
      hostId: scene.victim.hostId,
      at: new Date(),
      startup: true,
      vms: [{ instanceId: victimVm, state: "stopped" }],
    });
    expect(await hostRow(scene.victim.hostId)).toEqual(before);
    expect((await stateOf(victimVm)).state).toBe("RUNNING");
  });

  it("another host's task cannot be finished or failed", async () => {
    const before = await taskRow(victimTask);
    await scene.sendAsRogue({
      type: "image.cache",
      hostId: scene.rogue.hostId,
      at: new Date(),
      sha256: "a".repeat(64),
      state: "cached",
      taskId: victimTask,
    });
    await scene.sendAsRogue({
      type: "task.progress",
      hostId: scene.rogue.hostId,
      at: new Date(),
      taskId: victimTask,
      state: "failed",
      percent: 100,
      reason: "forged",
    });
    const after = await taskRow(victimTask);
    expect(after.state).toBe(before.state);
    expect(after).toEqual(before);
  });

  it("the same host's reports about its own instance are heard (the channel works)", async () => {
    await scene.sendAsRogue({
      type: "instance.state",
      hostId: scene.rogue.hostId,
      at: new Date(),
      instanceId: rogueVm,
      state: "STOPPED",
    });
    expect((await stateOf(rogueVm)).state).toBe("STOPPED");
  });
});
