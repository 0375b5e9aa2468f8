// C2 on real parts: "sync to hosts" queues an image.sync job, the agent (its own process) fetches the
// image into its cache before any instance exists, and its reports land in the task and host_images.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const storeDir = await mkdtemp(join(tmpdir(), "educloud-sync-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the image route's settings, imported below

const { hostImages, images, instances } = await import("@/db/schema");
const { startComputeStack } = await import("@/server/testing/compute-stack");
const { waitForTask } = await import("@/server/testing/tus-client");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const joinRoute = await import("@/app/api/v1/agent/join/route");

let stack: Awaited<ReturnType<typeof startComputeStack>>;

beforeAll(async () => {
  stack = await startComputeStack({
    storeDir,
    imageRoute: imageRoute.GET as never,
    joinRoute: joinRoute.POST,
  });
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await rm(storeDir, { recursive: true, force: true });
}, 120_000);

describe("sync to hosts", () => {
  it("puts the image in the agent's cache before any instance exists, with the task and cache state recorded", async () => {
    const [image] = await stack.s.db.select().from(images).where(eq(images.id, stack.imageId));
    expect(await stack.s.db.select().from(instances).where(eq(instances.imageId, stack.imageId))).toEqual([]);
    const cached = join(stack.agentDir, "images", image!.sha256);
    expect(existsSync(cached)).toBe(false);

    const started = Date.now();
    const { taskIds } = await stack.caller.images.sync({ id: stack.imageId, hostIds: [stack.hostId] });
    expect(taskIds).toHaveLength(1);
    const task = await waitForTask(stack.s, taskIds[0]!, 60_000);
    console.log(`sync of ${image!.sizeBytes} bytes to one host: ${Date.now() - started} ms`);
    expect(task).toMatchObject({
      state: "succeeded",
      percent: 100,
      kind: "image.sync",
      hostId: stack.hostId,
      bytesTotal: image!.sizeBytes,
      bytesDone: image!.sizeBytes,
    });
    expect(task.startedAt).not.toBeNull();
    expect(existsSync(cached)).toBe(true);

    const [entry] = await stack.s.db
      .select()
      .from(hostImages)
      .where(and(eq(hostImages.hostId, stack.hostId), eq(hostImages.sha256, image!.sha256)));
    expect(entry).toMatchObject({ state: "cached", percent: 100 });
    const view = await stack.caller.images.hostCache({ id: stack.imageId });
    expect(view.find((h) => h.hostId === stack.hostId)).toMatchObject({ state: "cached" });

    // A second sync finds it cached and says so.
    const again = await stack.caller.images.sync({ id: stack.imageId, hostIds: [stack.hostId] });
    expect(await waitForTask(stack.s, again.taskIds[0]!)).toMatchObject({
      state: "succeeded",
      message: "Already cached on the host",
    });
  }, 120_000);
});
