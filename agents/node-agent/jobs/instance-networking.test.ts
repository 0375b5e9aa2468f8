import { describe, expect, it } from "vitest";
import type { NicSpec } from "../../protocol/network";
import { makeNetworkSpec } from "../network/testing/network-fixtures";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

const instanceId = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";
const network = makeNetworkSpec();
const nics: NicSpec[] = [
  { tap: "ectap1", mac: "02:ec:00:00:00:0a", ip: "10.20.30.10", network },
  { tap: "ectap2", mac: "02:ec:00:00:00:0b", ip: "10.20.30.11", network },
];
const createJob = {
  instanceId,
  name: "web-1",
  vcpus: 1,
  memoryMiB: 256,
  diskGiB: 1,
  hypervisor: "sim",
  nics,
  image: {
    id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
    sha256: "a".repeat(64),
    format: "qcow2",
    sizeBytes: 1024,
  },
};

describe("instance jobs with NICs", () => {
  it("create builds each NIC's network and tap before the driver starts the VM, and hands it the NICs", async () => {
    const { ctx, calls } = createFakeJobContext();
    await handleJob(ctx, "instance.create", createJob);
    expect(calls).toEqual([
      `applyNetwork ${network.id} r3`,
      "ensureTap ectap1",
      `applyNetwork ${network.id} r3`,
      "ensureTap ectap2",
      `create ${instanceId} nics=ectap1,ectap2`,
    ]);
  });

  it("start rebuilds the taps from the persisted spec first (a host reboot loses them)", async () => {
    const { ctx, calls } = createFakeJobContext();
    await handleJob(ctx, "instance.create", createJob);
    calls.length = 0;
    await handleJob(ctx, "instance.start", { instanceId });
    expect(calls).toEqual([
      `applyNetwork ${network.id} r3`,
      "ensureTap ectap1",
      `applyNetwork ${network.id} r3`,
      "ensureTap ectap2",
      `start ${instanceId}`,
    ]);
  });

  it("delete removes the taps after the VM is gone", async () => {
    const { ctx, calls } = createFakeJobContext();
    await handleJob(ctx, "instance.create", createJob);
    calls.length = 0;
    await handleJob(ctx, "instance.delete", { instanceId });
    expect(calls).toEqual([`delete ${instanceId}`, "removeTap ectap1", "removeTap ectap2"]);
  });

  it("a VM without NICs touches no network", async () => {
    const { ctx, calls } = createFakeJobContext();
    await handleJob(ctx, "instance.create", { ...createJob, nics: undefined });
    expect(calls).toEqual([`create ${instanceId} nics=`]);
  });
});
