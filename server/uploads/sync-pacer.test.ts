import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSyncPacer } from "./sync-pacer";

describe("createSyncPacer", () => {
  let dir = "";
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A real file handle whose datasync calls are counted (and can be held open to look at overlap). */
  async function countedHandle() {
    dir = await mkdtemp(join(os.tmpdir(), "pacer-"));
    const fh = await open(join(dir, "f"), "a");
    const calls: { release: () => void; done: Promise<void> }[] = [];
    let hold = false;
    const real = fh.datasync.bind(fh);
    fh.datasync = () => {
      let release = () => undefined as void;
      const held = hold
        ? new Promise<void>((r) => {
            release = r;
          })
        : Promise.resolve();
      const done = held.then(real);
      calls.push({ release, done });
      return done;
    };
    return {
      fh,
      calls,
      holdFlushes: (on: boolean) => {
        hold = on;
      },
    };
  }

  it("flushes once per checkpoint passed while receiving, and once more at the end", async () => {
    const { fh, calls } = await countedHandle();
    const pacer = createSyncPacer(fh, 100);
    for (let total = 10; total <= 450; total += 10) {
      await fh.write("x".repeat(10));
      void pacer.wrote(total);
      await calls.at(-1)?.done; // the flush ends before the next bytes arrive
      await new Promise((r) => setImmediate(r));
    }
    expect(calls.length).toBe(4); // at 100, 200, 300, 400
    await pacer.finish();
    expect(calls.length).toBe(5);
    expect((await readFile(join(dir, "f"), "utf8")).length).toBe(450);
    await fh.close();
  });

  it("never runs two flushes at once, and the final flush waits for a running one", async () => {
    const { fh, calls, holdFlushes } = await countedHandle();
    const pacer = createSyncPacer(fh, 100);
    holdFlushes(true);
    void pacer.wrote(100);
    void pacer.wrote(250); // a flush is still running: no second one
    void pacer.wrote(400);
    await new Promise((r) => setImmediate(r));
    expect(calls.length).toBe(1);
    let finished = false;
    const finishing = pacer.finish().then(() => {
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false); // still waiting for the running checkpoint
    holdFlushes(false);
    calls[0]!.release();
    await finishing;
    expect(calls.length).toBe(2);
    await fh.close();
  });

  it("holds the writer back once it is two stretches ahead of a running flush", async () => {
    const { fh, calls, holdFlushes } = await countedHandle();
    const pacer = createSyncPacer(fh, 100);
    holdFlushes(true);
    expect(pacer.wrote(100)).toBeNull(); // starts a flush
    expect(pacer.wrote(250)).toBeNull(); // ahead, but less than two stretches
    const behind = pacer.wrote(300);
    expect(behind).not.toBeNull();
    let waited = false;
    void behind!.then(() => {
      waited = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(waited).toBe(false); // the writer waits while the flush runs
    holdFlushes(false);
    calls[0]!.release();
    await behind;
    expect(pacer.wrote(310)).toBeNull(); // the flush is done: on it goes
    await pacer.finish();
    await fh.close();
  });
});
