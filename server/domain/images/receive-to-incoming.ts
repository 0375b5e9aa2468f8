// A request body streamed into the image store's incoming directory, never past the size cap: a body
// without Content-Length (chunked) is cut off at the cap instead of filling the disk.
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { DomainError } from "../errors";
import { incomingDir } from "./import-image";
import { msg } from "@/common/message";

export async function receiveToIncoming(
  storeDir: string,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string> {
  const dir = incomingDir(storeDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, randomUUID());
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > maxBytes) done(new DomainError("INVALID", msg("images.tooLarge", { maxBytes })));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), cap, createWriteStream(path));
    return path;
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}
