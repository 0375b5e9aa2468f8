import { describe, expect, it } from "vitest";
import { mapQemuRunState } from "./map-run-state";

describe("mapQemuRunState", () => {
  it("maps QEMU run states to power states", () => {
    expect(mapQemuRunState("running")).toBe("running");
    expect(mapQemuRunState("shutdown")).toBe("stopped");
    for (const s of [
      "paused",
      "prelaunch",
      "suspended",
      "io-error",
      "internal-error",
      "guest-panicked",
      "inmigrate",
    ]) {
      expect(mapQemuRunState(s), s).toBe("paused");
    }
  });
});
