import { describe, expect, it } from "vitest";
import type { ImageCache } from "../image-cache";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

const instanceId = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";
const createJob = {
  instanceId,
  name: "web-1",
  vcpus: 1,
  memoryMiB: 256,
  diskGiB: 1,
  hypervisor: "sim",
  image: {
    id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    sha256: "a".repeat(64),
    format: "qcow2",
    sizeBytes: 1024,
  },
};

/** A context whose image cache logs leases into the same list as the driver's calls. */
function contextWithLeaseLog() {
  const fake = createFakeJobContext();
  fake.ctx.images = {
    has: async () => true,
    lease: async (ref: { sha256: string }) => {
      fake.calls.push(`lease ${ref.sha256.slice(0, 4)}`);
      return {
        path: "/images/base.qcow2",
        release: () => fake.calls.push(`release ${ref.sha256.slice(0, 4)}`),
      };
    },
  } as unknown as ImageCache;
  return fake;
}

describe("instance.create and the image cache", () => {
  it("holds the base image's lease until the driver has created the VM (its record names the image)", async () => {
    const { ctx, calls } = contextWithLeaseLog();
    await handleJob(ctx, "instance.create", createJob);
    expect(calls).toEqual(["lease aaaa", `create ${instanceId} nics=`, "release aaaa"]);
  });

  it("releases the lease when the create fails", async () => {
    const { ctx, driver, calls } = contextWithLeaseLog();
    Object.assign(driver, {
      create: async () => {
        calls.push("create fails");
        throw new Error("qemu-img create failed");
      },
    });
    await expect(handleJob(ctx, "instance.create", createJob)).rejects.toThrow(/qemu-img/);
    expect(calls).toEqual(["lease aaaa", "create fails", "release aaaa"]);
  });
});
