// The life-cycle table the UI and the server share (common/instance-states.ts).
import { describe, expect, it } from "vitest";
import { INSTANCE_REPORTED_STATES } from "@/agents/protocol";
import {
  ACCEPTS,
  ACTION_FROM,
  ACTION_PLAN,
  INSTANCE_ACTIONS,
  INSTANCE_STATES,
  REPORTED_STATES,
  acceptsReport,
  canAct,
  canDelete,
  canReboot,
  canStart,
  canStop,
  holdsCapacity,
  isBusy,
  isSettled,
  type InstanceState,
} from "@/common/instance-states";

const idle = (state: InstanceState) => ({ state, task: null });
const working = (state: InstanceState) => ({ state, task: "snapshotting" });

describe("instance states", () => {
  it("the agent reports exactly the states the table knows how to accept", () => {
    expect([...REPORTED_STATES].sort()).toEqual([...INSTANCE_REPORTED_STATES].sort());
  });

  it("nothing comes back from DELETED, and a delete in progress only ends deleted or in error", () => {
    for (const r of REPORTED_STATES) expect(acceptsReport("DELETED", r)).toBe(false);
    expect(ACCEPTS.DELETING).toEqual(["DELETED", "ERROR"]);
    // A late RUNNING from the create job must not undo a requested delete or stop.
    expect(acceptsReport("DELETING", "RUNNING")).toBe(false);
    expect(acceptsReport("PENDING", "RUNNING")).toBe(false);
  });

  it("every state that can still be deleted accepts the DELETED report, except before any host has it", () => {
    for (const s of ACTION_FROM.delete) if (s !== "PENDING") expect(acceptsReport(s, "DELETED")).toBe(true);
  });

  it("start, stop and reboot need an idle instance in the right state; delete works even mid-action", () => {
    expect(canStart(idle("STOPPED"))).toBe(true);
    expect(canStart(working("STOPPED"))).toBe(false);
    expect(canStart(idle("RUNNING"))).toBe(false);
    expect(canStop(idle("RUNNING"))).toBe(true);
    expect(canStop(idle("STOPPED"))).toBe(false);
    expect(canReboot(idle("RUNNING"))).toBe(true);
    expect(canReboot(working("RUNNING"))).toBe(false);
    expect(canDelete(working("BUILDING"))).toBe(true);
    expect(canDelete(working("DELETING"))).toBe(true); // a lost delete can be sent again
    expect(canDelete(idle("DELETED"))).toBe(false);
    for (const s of INSTANCE_STATES) expect(canDelete(idle(s))).toBe(s !== "DELETED");
  });

  it("an accepted action leads to a state from which the host's answer is believed", () => {
    const answer: Record<(typeof INSTANCE_ACTIONS)[number], "RUNNING" | "STOPPED" | "DELETED"> = {
      start: "RUNNING",
      stop: "STOPPED",
      reboot: "RUNNING",
      delete: "DELETED",
    };
    for (const a of INSTANCE_ACTIONS) {
      expect(ACTION_FROM[a].length).toBeGreaterThan(0);
      expect(acceptsReport(ACTION_PLAN[a].to, answer[a])).toBe(true);
      expect(canAct(idle(ACTION_FROM[a][0]!), a)).toBe(true);
    }
  });

  it("busy (poll) and settled (storage may act) are never both true", () => {
    for (const s of INSTANCE_STATES)
      for (const i of [idle(s), working(s)]) expect(isBusy(i) && isSettled(i)).toBe(false);
    expect(isSettled(idle("RUNNING"))).toBe(true);
    expect(isSettled(idle("STOPPED"))).toBe(true);
    expect(isSettled(working("STOPPED"))).toBe(false);
    expect(isSettled(idle("ERROR"))).toBe(false);
    expect(isBusy(idle("BUILDING"))).toBe(true);
    expect(isBusy(idle("RUNNING"))).toBe(false);
  });

  it("only a deleted instance gives its capacity back (a stopped one keeps its place)", () => {
    for (const s of INSTANCE_STATES) expect(holdsCapacity(s)).toBe(s !== "DELETED");
  });
});
