import { describe, expect, it } from "vitest";
import { parseProcStatState } from "./host-processes";

describe("parseProcStatState", () => {
  it("reads the state after the command name, even one with spaces and parentheses", () => {
    expect(parseProcStatState("1234 (qemu-system-x86) S 1 1234 1234 0")).toBe("S");
    expect(parseProcStatState("99 (a) b) (c) Z 1 2 3")).toBe("Z");
    expect(parseProcStatState("garbage")).toBeNull();
  });
});
