import { describe, expect, it } from "vitest";
import { PERMISSIONS, type Resource } from "@/common/permissions";
import type { Actor } from "../context";
import { DomainError } from "../errors";
import { authorize } from "./authorize";
import { ANONYMOUS, hostCaller, userCaller } from "./caller";
import { POLICIES } from "./index";

const actor = (role: Actor["role"], id = 1, groupIds: number[] = [10]): Actor => ({
  id,
  username: `u${id}`,
  role,
  groupIds,
  adminGroupIds: role === "powerAdm" || role === "superAdm" ? groupIds : [],
});

function refusal(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err.kind;
    throw err;
  }
}

describe("access policies", () => {
  it("every permission entry scoped to group or own has a policy that enforces it", () => {
    for (const [resource, actions] of Object.entries(PERMISSIONS)) {
      for (const [action, p] of Object.entries(actions)) {
        if (p.scope === "none") continue;
        expect(
          POLICIES[resource as keyof typeof POLICIES],
          `${resource}.${action} (scope ${p.scope})`,
        ).toBeDefined();
      }
    }
  });

  it("no policy stands for a resource the table does not scope", () => {
    for (const resource of Object.keys(POLICIES)) {
      const scopes = Object.values(PERMISSIONS[resource as Resource]).map((p) => p.scope);
      expect(
        scopes.some((s) => s !== "none"),
        resource,
      ).toBe(true);
    }
  });
});

describe("authorize", () => {
  const own = { ownerId: 7, groupId: 10 };

  it("asks an unknown caller to sign in, or a host for its credential", () => {
    expect(refusal(() => authorize(ANONYMOUS, "instances", "list"))).toBe("UNAUTHORIZED");
    expect(refusal(() => authorize(ANONYMOUS, "agent", "fetchImage"))).toBe("UNAUTHORIZED");
  });

  it("lets everyone reach public entries, and hosts only host entries", () => {
    expect(refusal(() => authorize(ANONYMOUS, "health", "live"))).toBeNull();
    expect(refusal(() => authorize(hostCaller("h"), "agent", "fetchImage"))).toBeNull();
    expect(refusal(() => authorize(hostCaller("h"), "images", "download"))).toBe("FORBIDDEN");
    expect(refusal(() => authorize(userCaller(actor("superAdm")), "agent", "fetchImage"))).toBe("FORBIDDEN");
  });

  it("refuses a role below the entry's least", () => {
    expect(refusal(() => authorize(actor("user"), "snapshots", "create"))).toBe("FORBIDDEN");
    expect(refusal(() => authorize(actor("powerUser"), "snapshots", "create"))).toBeNull();
  });

  it("enforces the scope through the resource's policy when the object is named", () => {
    expect(refusal(() => authorize(actor("user", 7), "instances", "stop", own))).toBeNull();
    expect(refusal(() => authorize(actor("user", 8), "instances", "stop", own))).toBe("FORBIDDEN");
    expect(refusal(() => authorize(actor("powerAdm", 8, [10]), "instances", "stop", own))).toBeNull();
    expect(refusal(() => authorize(actor("powerAdm", 8, [11]), "instances", "stop", own))).toBe("FORBIDDEN");
    expect(refusal(() => authorize(actor("superAdm", 9, []), "instances", "stop", own))).toBeNull();
    expect(
      refusal(() => authorize(actor("powerAdm", 8, [11]), "users", "read", { id: 3, groupIds: [10] })),
    ).toBe("FORBIDDEN");
    expect(
      refusal(() => authorize(actor("powerAdm", 8, [10]), "users", "read", { id: 3, groupIds: [10] })),
    ).toBeNull();
    // An account in no group: superAdm reaches it (they create such accounts), a powerAdm does not.
    expect(
      refusal(() => authorize(actor("superAdm", 9, []), "users", "read", { id: 3, groupIds: [] })),
    ).toBeNull();
    expect(
      refusal(() => authorize(actor("powerAdm", 8, [10]), "users", "read", { id: 3, groupIds: [] })),
    ).toBe("FORBIDDEN");
  });
});
