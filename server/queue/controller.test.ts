import { describe, expect, it } from "vitest";
import { createKeyedSerializer } from "./controller";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("createKeyedSerializer", () => {
  it("keeps order within a key even when an earlier step is slower, and runs other keys alongside", async () => {
    const inOrder = createKeyedSerializer();
    const log: string[] = [];
    await Promise.all([
      inOrder("a", async () => {
        await sleep(30);
        log.push("a1");
      }),
      inOrder("a", async () => {
        log.push("a2");
      }),
      inOrder("b", async () => {
        log.push("b1");
      }),
    ]);
    expect(log).toEqual(["b1", "a1", "a2"]);
  });

  it("a failed step does not block the steps after it", async () => {
    const inOrder = createKeyedSerializer();
    const first = inOrder("k", async () => {
      throw new Error("boom");
    });
    const second = inOrder("k", async () => undefined);
    await expect(first).rejects.toThrow("boom");
    await expect(second).resolves.toBeUndefined();
  });
});
