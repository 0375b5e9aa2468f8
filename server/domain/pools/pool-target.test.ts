import { describe, expect, it } from "vitest";
import { inLesson, poolTarget, wantedSpare } from "./pool-target";

// Local time (the portal's time zone is the process's): Tuesday 2026-12-08.
const tuesdayAt = (h: number, m: number) => new Date(2026, 11, 8, h, m);
const tuesday10 = { weekday: 2, startMinute: 600, endMinute: 690, warmMinutes: 10 };
const pool = { size: 30, idleSize: 2, state: "running" as const };

describe("pool target", () => {
  it("warms the pool from the warm-up before a lesson until its end, and shrinks after", () => {
    expect(poolTarget(pool, [tuesday10], tuesdayAt(9, 49))).toBe(2);
    expect(poolTarget(pool, [tuesday10], tuesdayAt(9, 50))).toBe(30);
    expect(poolTarget(pool, [tuesday10], tuesdayAt(11, 29))).toBe(30);
    expect(poolTarget(pool, [tuesday10], tuesdayAt(11, 30))).toBe(2);
  });

  it("a lab without a schedule keeps the full size; a stopped pool none", () => {
    expect(poolTarget(pool, [], tuesdayAt(3, 0))).toBe(30);
    expect(poolTarget({ ...pool, state: "stopped" }, [], tuesdayAt(3, 0))).toBe(0);
  });

  it("a warm-up that starts on the previous day (Monday 00:05 lesson, Sunday night warm-up)", () => {
    const monday = { weekday: 1, startMinute: 5, endMinute: 60, warmMinutes: 10 };
    expect(inLesson([monday], new Date(2026, 11, 13, 23, 56))).toBe(true); // Sunday 23:56
    expect(inLesson([monday], new Date(2026, 11, 13, 23, 54))).toBe(false);
  });

  it("keeps spare within what the target leaves after the assigned desktops", () => {
    expect(wantedSpare(30, 5, 0)).toBe(5);
    expect(wantedSpare(30, 5, 27)).toBe(3);
    expect(wantedSpare(2, 5, 4)).toBe(0);
  });
});
