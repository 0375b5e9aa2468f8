import { describe, expect, it } from "vitest";
import type { AgentEvent } from "@/agents/protocol";
import type { InstanceRow } from "@/db/schema";
import { createEventDispatcher, type InstanceStateChange } from "./dispatcher";

const deps = { db: {} as never, jobs: { enqueue: async () => undefined } };
const HOST = "0b0a6f7e-9d0c-4a43-8f3e-1d2c3b4a5f60";
const OTHER = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const INSTANCE = "7c6b5a49-3827-4165-9f4e-3d2c1b0a9f8e";
const stateEvent = (state: "RUNNING" | "DELETED", hostId = HOST): AgentEvent => ({
  type: "instance.state",
  hostId,
  at: new Date(),
  instanceId: INSTANCE,
  state,
});
const row = { id: INSTANCE, hostId: HOST } as InstanceRow;

describe("event dispatcher", () => {
  it("hands each event to every handler registered for its type, in registration order", async () => {
    const seen: string[] = [];
    const d = createEventDispatcher([
      (r) => r.on("instance.state", async (_c, ev) => void seen.push(`a:${ev.state}`)),
      (r) => r.on("network.state", async () => void seen.push("never")),
      (r) => r.on("instance.state", async (_c, ev) => void seen.push(`b:${ev.state}`)),
    ]);
    await d.dispatch(deps, stateEvent("RUNNING"), HOST);
    expect(seen).toEqual(["a:RUNNING", "b:RUNNING"]);
  });

  it("handlers see the sender given to dispatch, not the host the message claims", async () => {
    let hostSeen = "";
    const d = createEventDispatcher([
      (r) => r.on("instance.state", async (_c, ev) => void (hostSeen = ev.hostId)),
    ]);
    await d.dispatch(deps, stateEvent("RUNNING", OTHER), HOST);
    expect(hostSeen).toBe(HOST);
  });

  it("runs the subscribers of the state an instance reached, and only those", async () => {
    const got: InstanceStateChange[] = [];
    const d = createEventDispatcher([
      (r) =>
        r.on("instance.state", (ctx, ev) =>
          ctx.instanceReached({ instance: row, from: "RUNNING", to: ev.state }),
        ),
      (r) => r.onInstanceState("DELETED", async (_c, change) => void got.push(change)),
      (r) => r.onInstanceState(["STOPPED", "ERROR"], async () => void got.push(null as never)),
    ]);
    await d.dispatch(deps, stateEvent("DELETED"), HOST);
    expect(got).toEqual([{ instance: row, from: "RUNNING", to: "DELETED" }]);
  });

  it("one failing subscriber does not keep the others from running; its error still surfaces", async () => {
    const ran: string[] = [];
    const d = createEventDispatcher([
      (r) =>
        r.on("instance.state", (ctx) =>
          ctx.instanceReached({ instance: row, from: "RUNNING", to: "DELETED" }),
        ),
      (r) =>
        r.onInstanceState("DELETED", async () => {
          ran.push("networks");
          throw new Error("lease push failed");
        }),
      (r) => r.onInstanceState("DELETED", async () => void ran.push("volumes")),
    ]);
    await expect(d.dispatch(deps, stateEvent("DELETED"), HOST)).rejects.toThrow("lease push failed");
    expect(ran).toEqual(["networks", "volumes"]);
  });
});
