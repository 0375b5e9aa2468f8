import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { agentEventSchema } from "../../protocol/index";
import type { VmSpec } from "../drivers/hypervisor-driver";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

const vm = randomUUID();
const spec = { id: vm } as VmSpec;

describe("snapshot and volume jobs", () => {
  it("report their outcome as events that pass the shared schema", async () => {
    const { ctx, driver, events } = createFakeJobContext({ specs: new Map([[vm, spec]]) });
    Object.assign(driver, {
      createSnapshot: async () => ({ sizeBytes: 4096 }),
      attachVolume: async () => ({ id: "v", path: "/v", slot: 0 }),
    });
    const snapshotId = randomUUID();
    const volumeId = randomUUID();
    await handleJob(ctx, "snapshot.create", { instanceId: vm, snapshotId });
    await handleJob(ctx, "volume.attach", { instanceId: vm, volumeId });
    expect(events).toMatchObject([
      {
        type: "snapshot.state",
        snapshotId,
        state: "created",
        operation: "create",
        sizeBytes: 4096,
        jobId: "job-1",
      },
      { type: "volume.state", volumeId, instanceId: vm, state: "attached", operation: "attach" },
    ]);
    for (const e of events) expect(agentEventSchema.safeParse(e).success).toBe(true);
  });

  it("turn a driver failure into a failed report instead of throwing (the instance is not broken by it)", async () => {
    const { ctx, driver, events } = createFakeJobContext({ specs: new Map([[vm, spec]]) });
    Object.assign(driver, {
      revertSnapshot: async () => {
        throw new Error("the VM is running: stop it before reverting to a snapshot");
      },
    });
    await expect(
      handleJob(ctx, "snapshot.revert", { instanceId: vm, snapshotId: randomUUID() }),
    ).resolves.toBeUndefined();
    expect(events[0]).toMatchObject({
      type: "snapshot.state",
      state: "failed",
      operation: "revert",
      reason: expect.stringMatching(/stop it/),
    });
  });

  it("say so when the driver cannot do it, and treat a snapshot of a VM that is gone as deleted", async () => {
    const { ctx, driver, events } = createFakeJobContext();
    await handleJob(ctx, "volume.create", { volumeId: randomUUID(), sizeGiB: 1 });
    expect(events[0]).toMatchObject({ state: "failed", reason: "the sim driver does not support this" });
    Object.assign(driver, {
      deleteSnapshot: async () => {
        throw new Error("must not be called");
      },
    });
    await handleJob(ctx, "snapshot.delete", { instanceId: randomUUID(), snapshotId: randomUUID() });
    expect(events[1]).toMatchObject({ state: "deleted", operation: "delete" });
  });

  it("refuse malformed payloads before touching the driver", async () => {
    const { ctx } = createFakeJobContext();
    await expect(handleJob(ctx, "volume.create", { volumeId: randomUUID(), sizeGiB: 0 })).rejects.toThrow();
    await expect(
      handleJob(ctx, "instance.capture", {
        instanceId: randomUUID(),
        taskId: "not a task id",
      }),
    ).rejects.toThrow();
  });
});
