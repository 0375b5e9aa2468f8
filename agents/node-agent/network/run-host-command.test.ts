// The runner's timing contract: a command's result is ready when its pipes close (no fixed wait), and a
// command that leaves a background child holding those pipes still resolves soon after it exits.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHostCommandRunner, HostCommandError } from "./run-host-command";

const run = createHostCommandRunner(undefined);

afterEach(() => vi.useRealTimers());

describe("createHostCommandRunner", () => {
  it("resolves on the pipes' close, with all of stdout, waiting on no timer", async () => {
    // With timers frozen, a result that waited for a timer after the exit would never come.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    for (let i = 0; i < 3; i++) {
      await expect(run(["sh", "-c", "printf 'line 1\\nline 2\\n'"])).resolves.toBe("line 1\nline 2\n");
    }
    await expect(run(["sh", "-c", "cat; echo to stderr >&2; exit 3"], { input: "in" })).rejects.toThrow(
      HostCommandError,
    );
  });

  it("resolves soon after the exit when a background child keeps the pipes open", async () => {
    const started = Date.now();
    const out = await run(["sh", "-c", "sleep 20 & echo $!"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
  });
});
