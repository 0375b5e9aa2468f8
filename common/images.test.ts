import { describe, expect, it } from "vitest";
import { canManageImage } from "./images";

// The images page shows Edit/Delete/New version by this rule, and the domain refuses by it.
describe("canManageImage", () => {
  const publicImage = { ownerId: 1, groupId: null };
  const groupImage = { ownerId: 1, groupId: 7 };

  it("a powerUser may not manage someone else's public image", () => {
    expect(canManageImage({ id: 2, role: "powerUser", adminGroupIds: [7] }, publicImage)).toBe(false);
  });
  it("the owner may, whatever the role", () => {
    expect(canManageImage({ id: 1, role: "powerUser", adminGroupIds: [] }, publicImage)).toBe(true);
  });
  it("a powerAdm may manage the images of a group they administer, not others'", () => {
    expect(canManageImage({ id: 3, role: "powerAdm", adminGroupIds: [7] }, groupImage)).toBe(true);
    expect(canManageImage({ id: 3, role: "powerAdm", adminGroupIds: [8] }, groupImage)).toBe(false);
    expect(canManageImage({ id: 3, role: "powerUser", adminGroupIds: [7] }, groupImage)).toBe(false);
  });
  it("superAdm may manage every image", () => {
    expect(canManageImage({ id: 9, role: "superAdm", adminGroupIds: [] }, publicImage)).toBe(true);
  });
});
