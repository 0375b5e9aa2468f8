// The resize job reports its outcome as an instance.resized event and never throws (a thrown error
// would put the instance in ERROR): a driver without resize says so plainly, a missing VM too.
import { describe, expect, it } from "vitest";
import type { VmSize, VmSpec } from "../drivers/hypervisor-driver";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

const id = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
const job = { instanceId: id, vcpus: 2, memoryMiB: 512, diskGiB: 3 };
const spec = { id, name: "vm", vcpus: 1, memoryMiB: 256, diskGiB: 1 } as VmSpec;

describe("instance.resize job", () => {
  it("a driver without resize: the job reports failed with the reason, and does not throw", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    await handleJob(f.ctx, "instance.resize", job);
    expect(f.events).toEqual([
      expect.objectContaining({
        type: "instance.resized",
        instanceId: id,
        state: "failed",
        jobId: "job-1",
        reason: "resize failed: the sim driver does not support resizing",
        reasonMessage: {
          code: "agent.jobFailed",
          params: { job: "resize", detail: "the sim driver does not support resizing" },
        },
      }),
    ]);
  });

  it("no such VM on this host: failed", async () => {
    const f = createFakeJobContext();
    await handleJob(f.ctx, "instance.resize", job);
    expect(f.events).toEqual([
      expect.objectContaining({ state: "failed", reason: `resize failed: no VM ${id} on this host` }),
    ]);
  });

  it("the VM's driver resizes it: progress, then resized", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    const asked: VmSize[] = [];
    Object.assign(f.driver, {
      resize: async (vm: string, size: VmSize) => {
        expect(vm).toBe(id);
        asked.push(size);
      },
    });
    await handleJob(f.ctx, "instance.resize", job);
    expect(asked).toEqual([{ vcpus: 2, memoryMiB: 512, diskGiB: 3 }]);
    expect(f.events.map((e) => e.type)).toEqual(["instance.progress", "instance.resized"]);
    expect(f.events.at(-1)).toMatchObject({ state: "resized", instanceId: id });
    expect(f.events.at(-1)).not.toHaveProperty("reason");
  });

  it("a bad payload is refused before any driver is asked", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    await expect(handleJob(f.ctx, "instance.resize", { ...job, vcpus: 0 })).rejects.toThrow();
    expect(f.events).toEqual([]);
  });
});
