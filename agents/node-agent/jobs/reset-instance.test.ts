// The reset job: a driver without reset fails the job with a plain reason (the worker puts the
// instance in ERROR with it); with an image, the new base is leased from the cache until the driver
// has made the disk from it; the outcome is instance.state RUNNING carrying the job's id.
import { describe, expect, it } from "vitest";
import type { ResetBase, VmSpec, VmStatus } from "../drivers/hypervisor-driver";
import type { ImageCache } from "../image-cache";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

const id = "7a1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
const spec = { id, name: "desk", vcpus: 1, memoryMiB: 256, diskGiB: 1 } as VmSpec;
const image = {
  id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
  sha256: "b".repeat(64),
  format: "raw" as const,
  sizeBytes: 1024,
};

function withReset(f: ReturnType<typeof createFakeJobContext>, asked: (ResetBase | undefined)[]) {
  Object.assign(f.driver, {
    reset: async (vm: string, base?: ResetBase): Promise<VmStatus> => {
      expect(vm).toBe(id);
      f.calls.push(`reset ${base?.baseImagePath ?? "same base"}`);
      asked.push(base);
      return { id, state: "running", accel: "tcg" };
    },
  });
}

describe("instance.reset job", () => {
  it("a driver without reset fails the job with that reason", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    await expect(handleJob(f.ctx, "instance.reset", { instanceId: id })).rejects.toThrow(
      "the sim driver does not support reset",
    );
  });

  it("no such VM on this host: the job fails", async () => {
    const f = createFakeJobContext();
    await expect(handleJob(f.ctx, "instance.reset", { instanceId: id })).rejects.toThrow(
      `no VM ${id} on this host`,
    );
  });

  it("resets onto the same base and reports RUNNING with the job's id", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    const asked: (ResetBase | undefined)[] = [];
    withReset(f, asked);
    await handleJob(f.ctx, "instance.reset", { instanceId: id });
    expect(asked).toEqual([undefined]);
    expect(f.events.at(-1)).toMatchObject({
      type: "instance.state",
      instanceId: id,
      state: "RUNNING",
      jobId: "job-1",
      accel: "tcg",
    });
  });

  it("with an image: leases it from the cache until the driver has re-made the disk from it", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    f.ctx.images = {
      has: async () => false,
      lease: async (ref: { sha256: string }) => {
        f.calls.push(`lease ${ref.sha256.slice(0, 4)}`);
        return { path: "/images/new.raw", release: () => f.calls.push(`release ${ref.sha256.slice(0, 4)}`) };
      },
    } as unknown as ImageCache;
    const asked: (ResetBase | undefined)[] = [];
    withReset(f, asked);
    await handleJob(f.ctx, "instance.reset", { instanceId: id, image });
    expect(asked).toEqual([{ baseImagePath: "/images/new.raw", baseImageFormat: "raw" }]);
    expect(f.calls.filter((c) => /^(lease|reset|release)/.test(c))).toEqual([
      "lease bbbb",
      "reset /images/new.raw",
      "release bbbb",
    ]);
  });

  it("refuses a bad payload before any driver is asked", async () => {
    const f = createFakeJobContext({ specs: new Map([[id, spec]]) });
    await expect(
      handleJob(f.ctx, "instance.reset", { instanceId: id, image: { ...image, sha256: "x" } }),
    ).rejects.toThrow();
    expect(f.events).toEqual([]);
  });
});
