import { describe, expect, it } from "vitest";
import { makeNetworkSpec, NETWORK_ID } from "../network/testing/network-fixtures";
import { handleJob } from "./handle-job";
import { createFakeJobContext } from "./testing/fake-job-context";

describe("network jobs", () => {
  it("applies a network and reports the revision applied", async () => {
    const { ctx, calls, events } = createFakeJobContext();
    await handleJob(ctx, "network.apply", { network: makeNetworkSpec({ revision: 7 }) });
    expect(calls).toEqual([`applyNetwork ${NETWORK_ID} r7`]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "network.state",
        networkId: NETWORK_ID,
        state: "applied",
        revision: 7,
      }),
    ]);
  });

  it("reports the revision in force, and why, when the spec was older", async () => {
    const { ctx, events } = createFakeJobContext();
    ctx.network.applyNetwork = async () => ({ applied: false, revision: 9 });
    await handleJob(ctx, "network.apply", { network: makeNetworkSpec({ revision: 7 }) });
    expect(events[0]).toMatchObject({
      state: "applied",
      revision: 9,
      reason: expect.stringContaining("older"),
    });
  });

  it("reports an error with its reason, then fails the job", async () => {
    const { ctx, events } = createFakeJobContext({
      failApply: new Error("uplink eth9 does not exist on this host"),
    });
    await expect(handleJob(ctx, "network.apply", { network: makeNetworkSpec() })).rejects.toThrow(/eth9/);
    expect(events).toEqual([
      expect.objectContaining({
        type: "network.state",
        state: "error",
        reason: "uplink eth9 does not exist on this host",
      }),
    ]);
  });

  it("removes a network and reports it removed", async () => {
    const { ctx, calls, events } = createFakeJobContext();
    await handleJob(ctx, "network.remove", { networkId: NETWORK_ID, bridge: "ecbr6f1c2b3a" });
    expect(calls).toEqual([`removeNetwork ${NETWORK_ID} ecbr6f1c2b3a`]);
    expect(events).toEqual([expect.objectContaining({ type: "network.state", state: "removed" })]);
  });

  it("refuses a bridge name that is not an interface name before touching anything", async () => {
    const { ctx, calls } = createFakeJobContext();
    await expect(
      handleJob(ctx, "network.remove", { networkId: NETWORK_ID, bridge: "br0; reboot" }),
    ).rejects.toThrow();
    expect(calls).toEqual([]);
  });

  it("refuses to touch a bridge eduCloud did not make (the host's own br0, virbr0, eth0)", async () => {
    const { ctx, calls } = createFakeJobContext();
    for (const bridge of ["br0", "virbr0", "eth0"])
      await expect(handleJob(ctx, "network.remove", { networkId: NETWORK_ID, bridge })).rejects.toThrow(
        /eduCloud bridge name/,
      );
    expect(calls).toEqual([]);
  });
});
