import { describe, expect, it } from "vitest";
import { ROLES } from "./roles";
import { can, PERMISSIONS, roleMeets } from "./permissions";

describe("permission table", () => {
  it("orders roles from anonymous to superAdm", () => {
    expect(ROLES).toEqual(["anonymous", "user", "powerUser", "powerAdm", "superAdm"]);
    expect(roleMeets("superAdm", "powerAdm")).toBe(true);
    expect(roleMeets("powerUser", "powerAdm")).toBe(false);
    expect(roleMeets("anonymous", "user")).toBe(false);
  });

  it("keeps user, group, audit administration away from plain users", () => {
    expect(can("user", "users", "list")).toBe(false);
    expect(can("user", "audit", "list")).toBe(false);
    expect(can("powerAdm", "users", "create")).toBe(false);
    expect(can("superAdm", "users", "create")).toBe(true);
    expect(can(null, "account", "read")).toBe(false);
    expect(can("user", "account", "changePassword")).toBe(true);
  });

  it("admits no role to a terminal's or a kiosk's entries, and no terminal or kiosk to a role's", () => {
    for (const role of ROLES) {
      expect(can(role, "terminals", "config")).toBe(false);
      expect(can(role, "kiosk", "desktop")).toBe(false);
      expect(roleMeets(role, "terminal")).toBe(false);
      expect(roleMeets(role, "kiosk")).toBe(false);
    }
    // Enrolling and redeeming a kiosk link are open; managing terminals is not.
    expect(can(null, "terminals", "enrol")).toBe(true);
    expect(can(null, "kiosk", "start")).toBe(true);
    expect(can("user", "terminals", "list")).toBe(false);
    expect(can("powerAdm", "terminals", "approve")).toBe(false);
    expect(can("superAdm", "terminals", "approve")).toBe(true);
  });

  it("names a valid least role and scope for every entry", () => {
    for (const [resource, actions] of Object.entries(PERMISSIONS)) {
      for (const [action, p] of Object.entries(actions)) {
        expect([...ROLES, "host", "terminal", "kiosk"], `${resource}.${action}`).toContain(p.least);
        expect(["none", "group", "own"], `${resource}.${action}`).toContain(p.scope);
      }
    }
  });
});
