import { describe, expect, it } from "vitest";
import type { DomainContext } from "../context";
import { createMembershipHooks, type MembershipChange } from "./membership-hook";

const ctx = {} as DomainContext;

describe("membership hook", () => {
  it("hands the change to every subscriber, in registration order", async () => {
    const seen: string[] = [];
    const hooks = createMembershipHooks([
      (r) => r.onMembershipsChanged(async (_c, ch) => void seen.push(`a:${ch.groupId}`)),
      (r) => r.onMembershipsChanged(async (_c, ch) => void seen.push(`b:${ch.userIds?.join(",")}`)),
    ]);
    await hooks.membershipsChanged(ctx, { userIds: [3, 4], groupId: 7 });
    expect(seen).toEqual(["a:7", "b:3,4"]);
  });

  it("a failing subscriber keeps no other from running, and the failure reaches the caller", async () => {
    const got: MembershipChange[] = [];
    const hooks = createMembershipHooks([
      (r) => r.onMembershipsChanged(() => Promise.reject(new Error("first"))),
      (r) => r.onMembershipsChanged(async (_c, ch) => void got.push(ch)),
    ]);
    await expect(hooks.membershipsChanged(ctx, { groupId: 1 })).rejects.toThrow("first");
    expect(got).toEqual([{ groupId: 1 }]);
  });

  it("two failures are raised together", async () => {
    const hooks = createMembershipHooks([
      (r) => r.onMembershipsChanged(() => Promise.reject(new Error("a"))),
      (r) => r.onMembershipsChanged(() => Promise.reject(new Error("b"))),
    ]);
    const err = await hooks.membershipsChanged(ctx, { userIds: [1] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual(["a", "b"]);
  });

  it("with no subscriber, a change is announced to nobody without error", async () => {
    await expect(createMembershipHooks().membershipsChanged(ctx, { groupId: 2 })).resolves.toBeUndefined();
  });
});
