// The cap on a real file written the way QEMU writes its serial log: one descriptor opened once in
// append mode and never reopened, the writer never told about the rotation.
import { open, readFile, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capSerialLog } from "./cap-serial-log";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "serial-cap-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("capSerialLog", () => {
  it("keeps a growing log under the cap: the older bytes move to .1, the writer goes on at the start", async () => {
    const log = join(dir, "serial.log");
    const writer = await open(log, "a"); // like QEMU's chardev logfile with logappend=on
    const cap = 64 * 1024;
    const line = (i: number) => `line ${String(i).padStart(6, "0")} ${"x".repeat(100)}\n`;
    let written = 0;
    let rotations = 0;
    try {
      // 4 MiB through the writer, checked every 16 KiB as the agent's timer would: never far over the cap.
      for (let i = 0; written < 4 * 1024 * 1024; i++) {
        written += (await writer.write(line(i))).bytesWritten;
        if (i % 140 === 0) {
          if (await capSerialLog(log, cap)) rotations++;
          expect((await stat(log)).size).toBeLessThanOrEqual(cap + 16 * 1024);
        }
      }
      expect(rotations).toBeGreaterThan(30);
      // The writer was never reopened, yet its next bytes land at the start of the cut log: no hole.
      await capSerialLog(log, 0);
      await writer.write("after the cut\n");
    } finally {
      await writer.close();
    }
    expect(await readFile(log, "utf8")).toBe("after the cut\n");
    // .1 holds whole lines: the most recent stretch before the cut, ending with the last line written.
    const older = await readFile(`${log}.1`, "utf8");
    expect(older.length).toBeGreaterThan(0);
    expect(older.length).toBeLessThanOrEqual(cap + 16 * 1024);
    expect(older.endsWith("x\n")).toBe(true);
    expect(older.includes("\0")).toBe(false);
    const total = (await stat(log)).size + (await stat(`${log}.1`)).size;
    expect(total).toBeLessThan(2 * (cap + 16 * 1024));
  });

  it("leaves a small or missing log alone", async () => {
    const log = join(dir, "small.log");
    expect(await capSerialLog(log, 10)).toBe(false);
    const w = await open(log, "a");
    await w.write("hello\n");
    await w.close();
    expect(await capSerialLog(log, 1024)).toBe(false);
    expect(await readFile(log, "utf8")).toBe("hello\n");
  });

  it("follows no symlink: neither a log nor a copy planted as one makes it read, cut or write another file", async () => {
    const victim = join(dir, "victim");
    await writeFile(victim, "x".repeat(4096));
    const log = join(dir, "linked.log");
    await symlink(victim, log);
    expect(await capSerialLog(log, 10)).toBe(false);
    expect((await stat(victim)).size).toBe(4096); // not truncated

    const real = join(dir, "real.log");
    await writeFile(real, "y".repeat(4096));
    const other = join(dir, "other");
    await writeFile(other, "keep");
    await symlink(other, `${real}.1.tmp`); // a planted copy target
    expect(await capSerialLog(real, 10)).toBe(true);
    expect(await readFile(other, "utf8")).toBe("keep");
    expect((await readFile(`${real}.1`, "utf8")).length).toBe(4096);
    expect((await stat(real)).size).toBe(0);
  });
});
