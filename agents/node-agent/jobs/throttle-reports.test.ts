import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttleReports } from "./throttle-reports";

describe("throttleReports", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("passes the first call, then at most one per interval, dropping the rest", () => {
    const seen: number[] = [];
    const report = throttleReports((n: number) => seen.push(n));
    report(1);
    report(2);
    vi.advanceTimersByTime(999);
    report(3);
    vi.advanceTimersByTime(1);
    report(4);
    report(5);
    expect(seen).toEqual([1, 4]);
  });

  it("with quietStart sends nothing during the first interval", () => {
    const seen: number[] = [];
    const report = throttleReports((n: number) => seen.push(n), { quietStart: true, minIntervalMs: 500 });
    report(1);
    vi.advanceTimersByTime(499);
    report(2);
    vi.advanceTimersByTime(1);
    report(3);
    expect(seen).toEqual([3]);
  });

  it("swallows a report that fails: progress is best effort (Vitest fails the run on an unhandled rejection)", async () => {
    let calls = 0;
    // A plain function, not vi.fn: vi.fn observes the promise it returns, which handles the rejection.
    const report = throttleReports(() => {
      calls++;
      return Promise.reject(new Error("redis is down"));
    });
    expect(() => report()).not.toThrow();
    vi.useRealTimers();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(1);
  });

  it("drops a report that throws at once, without failing its caller", () => {
    let calls = 0;
    const report = throttleReports(() => {
      calls++;
      throw new Error("not connected");
    });
    expect(() => report()).not.toThrow();
    expect(calls).toBe(1);
  });
});
