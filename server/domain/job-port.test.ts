// The job port's payload types come from agents/protocol: `tsc --noEmit` fails if a wrong payload for a job
// type-checks (each @ts-expect-error must find an error), and the run checks the recording port still works.
import { describe, expect, it } from "vitest";
import { recordingJobs } from "@/server/testing/fixtures";

describe("typed job port", () => {
  it("accepts a job's payload and rejects another job's at compile time", async () => {
    const jobs = recordingJobs();
    const instanceId = "6f1c1b9e-3f7a-4a53-9d3e-2f1f5d0c9b11";
    await jobs.enqueue("h", "instance.start", { instanceId }, "start-1");
    await jobs.enqueue("h", "volume.create", { volumeId: instanceId, sizeGiB: 1 }, "vol-1");
    // @ts-expect-error a create job needs the image, sizes and name, not just the instance id
    await jobs.enqueue("h", "instance.create", { instanceId }, "create-1");
    // @ts-expect-error sizeGiB is a number in the volume.create schema
    await jobs.enqueue("h", "volume.create", { volumeId: instanceId, sizeGiB: "1" }, "vol-2");
    // @ts-expect-error no such job
    await jobs.enqueue("h", "instance.explode", { instanceId }, "boom-1");
    // Protocol 6: reset takes the instance and, optionally, a whole image reference.
    await jobs.enqueue("h", "instance.reset", { instanceId }, "reset-1");
    // @ts-expect-error a reset's image is a full image reference (id, sha256, format, size)
    await jobs.enqueue("h", "instance.reset", { instanceId, image: { id: instanceId } }, "reset-2");
    expect(jobs.sent.map((j) => j.name)).toEqual([
      "instance.start",
      "volume.create",
      "instance.create",
      "volume.create",
      "instance.explode",
      "instance.reset",
      "instance.reset",
    ]);
  });
});
