import { describe, expect, it } from "vitest";
import type { Actor } from "../context";
import { consolesPolicy, instancesPolicy } from "./instances";
import { desktopsPolicy, poolsPolicy } from "./pools";

const actor = (role: Actor["role"], id: number, groupIds: number[], adminGroupIds: number[] = []): Actor => ({
  id,
  username: `u${id}`,
  role,
  groupIds,
  adminGroupIds,
});
const student = actor("user", 1, [10]);
const other = actor("user", 2, [20]);
const teacher = actor("powerAdm", 3, [10], [10]);
const memberTeacher = actor("powerAdm", 4, [10]);
const it_ = actor("superAdm", 5, []);

describe("desktops policy", () => {
  it("a lab opens for its group's members, a public lab for anyone", () => {
    expect(desktopsPolicy.mayActOn(student, { lab: { groupId: 10 } })).toBe(true);
    expect(desktopsPolicy.mayActOn(other, { lab: { groupId: 10 } })).toBe(false);
    expect(desktopsPolicy.mayActOn(other, { lab: { groupId: null } })).toBe(true);
  });

  it("a desktop is its assigned student's and its group's admins', not another student's", () => {
    const d = { desktop: { assignedTo: 1, groupId: 10 } };
    expect(desktopsPolicy.mayActOn(student, d)).toBe(true);
    expect(desktopsPolicy.mayActOn(other, d)).toBe(false);
    expect(desktopsPolicy.mayActOn(actor("user", 6, [10]), d)).toBe(false);
    expect(desktopsPolicy.mayActOn(teacher, d)).toBe(true);
    expect(desktopsPolicy.mayActOn(memberTeacher, d)).toBe(false);
    expect(desktopsPolicy.mayActOn(it_, d)).toBe(true);
  });

  it("a student out of the desktop's class loses it though still assigned; a public lab's needs no class", () => {
    const left = actor("user", 1, [20]);
    expect(desktopsPolicy.mayActOn(left, { desktop: { assignedTo: 1, groupId: 10 } })).toBe(false);
    expect(desktopsPolicy.mayActOn(left, { desktop: { assignedTo: 1, groupId: null } })).toBe(true);
  });

  it("a desktop's owner gets nothing from owning it; a console is its member assignee's and teachers'", () => {
    const formerTeacher = actor("user", 7, [10]);
    const d = { kind: "desktop", ownerId: 7, groupId: 10, assignedTo: 1 };
    expect(instancesPolicy.mayActOn(formerTeacher, d)).toBe(false);
    expect(consolesPolicy.mayActOn(formerTeacher, d)).toBe(false);
    expect(instancesPolicy.mayActOn(student, d)).toBe(false);
    expect(consolesPolicy.mayActOn(student, d)).toBe(true);
    expect(consolesPolicy.mayActOn(actor("user", 1, [20]), d)).toBe(false);
    expect(consolesPolicy.mayActOn(teacher, d)).toBe(true);
    expect(instancesPolicy.mayActOn(teacher, d)).toBe(true);
    // A user's own machine stays theirs.
    expect(instancesPolicy.mayActOn(formerTeacher, { ...d, kind: "server" })).toBe(true);
  });

  it("the classroom and messages are the lab group's admins'; a public lab's superAdm's", () => {
    expect(desktopsPolicy.mayActOn(teacher, { labAdmin: { groupId: 10 } })).toBe(true);
    expect(desktopsPolicy.mayActOn(student, { labAdmin: { groupId: 10 } })).toBe(false);
    expect(desktopsPolicy.mayActOn(memberTeacher, { labAdmin: { groupId: 10 } })).toBe(false);
    expect(desktopsPolicy.mayActOn(teacher, { labAdmin: { groupId: null } })).toBe(false);
    expect(desktopsPolicy.mayActOn(it_, { labAdmin: { groupId: null } })).toBe(true);
  });
});

describe("pools policy", () => {
  it("the lab group's admins, superAdm any", () => {
    expect(poolsPolicy.mayActOn(teacher, { labGroupId: 10 })).toBe(true);
    expect(poolsPolicy.mayActOn(memberTeacher, { labGroupId: 10 })).toBe(false);
    expect(poolsPolicy.mayActOn(teacher, { labGroupId: null })).toBe(false);
    expect(poolsPolicy.mayActOn(it_, { labGroupId: null })).toBe(true);
  });
});
