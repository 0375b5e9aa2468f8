import { describe, expect, it } from "vitest";
import { canManageImage, imageVisibilitiesFor } from "./images";

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

// The upload and edit dialogs offer these, and the domain refuses the rest (manage-images.ts).
describe("imageVisibilitiesFor", () => {
  it("public is superAdm's alone; a teacher shares with a group; a powerUser keeps private", () => {
    expect(imageVisibilitiesFor("superAdm")).toEqual(["public", "group", "private"]);
    expect(imageVisibilitiesFor("powerAdm")).toEqual(["group", "private"]);
    expect(imageVisibilitiesFor("powerUser")).toEqual(["private"]);
    expect(imageVisibilitiesFor("user")).toEqual([]);
  });
  it("answers the same array each time (the dialogs reset their form when it changes)", () => {
    expect(imageVisibilitiesFor("powerAdm")).toBe(imageVisibilitiesFor("powerAdm"));
  });
});
