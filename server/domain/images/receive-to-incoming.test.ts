import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { incomingDir } from "./import-image";
import { receiveToIncoming } from "./receive-to-incoming";

const store = await mkdtemp(join(tmpdir(), "incoming-test-"));
afterAll(() => rm(store, { recursive: true, force: true }));

const bodyOf = (chunks: number[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const n of chunks) c.enqueue(new Uint8Array(n).fill(7));
      c.close();
    },
  });

describe("receiveToIncoming", () => {
  it("keeps a body within the cap, byte for byte", async () => {
    const path = await receiveToIncoming(store, bodyOf([1000, 24]), 1024);
    expect((await readFile(path)).length).toBe(1024);
    await rm(path);
  });

  it("cuts off a body past the cap (no Content-Length needed) and leaves nothing behind", async () => {
    const err = await receiveToIncoming(store, bodyOf([1000, 1000, 1000]), 1500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).message).toBe("The file is larger than the size cap (1500 bytes).");
    expect(await readdir(incomingDir(store))).toEqual([]);
  });
});
