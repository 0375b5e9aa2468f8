// A tus 1.0.0 server (core + creation + termination) for image uploads, as plain Request → Response
// handlers: the App Router route files wire them up, tests serve them over real HTTP. The size cap is
// enforced three times: at creation (Upload-Length), while receiving (never past Upload-Length), and by
// the import while converting.
import { randomUUID } from "node:crypto";
import { writeSync } from "node:fs";
import { Readable } from "node:stream";
import { mkdir, open, rename, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database } from "@/server/db/client";
import type { Actor } from "@/server/domain/context";
import { readClientIp } from "@/server/auth/client-ip";
import { issueFieldMessages } from "@/common/issue-message";
import { msg } from "@/common/message";
import { DomainError, errorBody } from "@/server/domain/errors";
import { authorize } from "@/server/domain/policies/authorize";
import { actorOf, type Caller } from "@/server/domain/policies/caller";
import { admitUpload } from "@/server/domain/images/admit-upload";
import { incomingDir } from "@/server/domain/images/import-image";
import { authorizeImageUpload } from "@/server/domain/images/manage-images";
import { uploadImageInput } from "@/server/domain/images/schemas";
import { startImageImport } from "@/server/domain/images/start-import";
import {
  formatUploadMetadata,
  parseNonNegativeInt,
  parseUploadMetadata,
  supportsTusVersion,
  TUS_CONTENT_TYPE,
  TUS_EXTENSIONS,
  TUS_VERSION,
} from "./tus-headers";
import {
  listOpenUploads,
  readUploadInfo,
  removeUpload,
  sweepStaleUploads,
  uploadDataPath,
  uploadOffset,
  uploadsDir,
  writeUploadInfo,
  type UploadInfo,
} from "./upload-files";
import { createSyncPacer } from "./sync-pacer";
import { toHttpError } from "@/server/http/errors";

export interface TusDeps {
  db: Database;
  storeDir: string;
  maxBytes: number;
  convertTimeoutSeconds: number;
  maxVirtualBytes?: number;
  /** Who is asking (server/http/caller.ts); authorize() decides whether they may upload. */
  resolveCaller(req: Request): Promise<Caller>;
  /** The URL path uploads live under, e.g. /api/v1/uploads. */
  basePath: string;
  onImportError?: (err: unknown) => void;
  /** Records who started an upload (the upload id) and from where in the audit log. */
  audit?: (actor: Actor, targetId: string, ok: boolean, ip: string | null) => Promise<void>;
  /** Told when an import starts (tests wait for it to end). */
  onImportStarted?: (taskId: string, done: Promise<void>) => void;
}

const STALE_AFTER_MS = 24 * 3600 * 1000;

/**
 * After answering early (too many bytes, a failed write), Node's request is read to its end and dropped,
 * so the client, still sending, gets to read the answer. (Node only does this itself for a request
 * nobody started to read.)
 */
function discardRest(body: AsyncIterable<Uint8Array>): void {
  if (!(body instanceof Readable) || body.destroyed) return;
  body.on("data", () => undefined);
  // On the next tick: the iterator we left takes its own listener off only then, and resume() does
  // nothing while one is on.
  process.nextTick(() => body.resume());
}

/** A regular file takes the whole chunk unless something is wrong (then writeSync throws). */
function writeAll(fd: number, chunk: Uint8Array): void {
  for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done);
}
const HEADERS = { "tus-resumable": TUS_VERSION, "cache-control": "no-store" };

function answer(
  status: number,
  headers: Record<string, string> = {},
  body?: {
    error: string;
    message: string;
    fieldErrors?: Record<string, string> | null;
    [k: string]: unknown;
  },
): Response {
  return body
    ? Response.json(body, { status, headers: { ...HEADERS, ...headers } })
    : new Response(null, { status, headers: { ...HEADERS, ...headers } });
}
const fail = (status: number, message: string, error = "INVALID", fieldErrors?: Record<string, string>) =>
  answer(status, {}, { error, message, fieldErrors: fieldErrors ?? null });

/** A refusal with its own status (413 for a file over the cap), coded like every other refusal. */
const failWith = (status: number, err: DomainError) => answer(status, {}, errorBody(err));

/** A refusal (or an outage) answered the way every route answers it, with the tus headers. */
function refuse(err: unknown): Response {
  const { status, body, internal } = toHttpError(err);
  if (internal) throw err;
  return answer(status, {}, body);
}

export function createTusServer(deps: TusDeps) {
  /** One PATCH at a time per upload; HEAD waits for a running one so the offset it tells is final. */
  const inflight = new Map<string, Promise<unknown>>();
  const settle = async (id: string, waitMs = 10_000) => {
    const p = inflight.get(id);
    if (p) await Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, waitMs))]);
  };

  async function guard(req: Request): Promise<Actor | Response> {
    if (!supportsTusVersion(req.headers.get("tus-resumable"))) {
      return answer(
        412,
        { "tus-version": TUS_VERSION },
        { error: "INVALID", message: `This server speaks tus ${TUS_VERSION}.` },
      );
    }
    try {
      const caller = await deps.resolveCaller(req);
      authorize(caller, "images", "upload");
      const actor = actorOf(caller)!;
      // tus is a way in of its own beside procedureFor and defineHandler: a read-only token may ask an
      // upload's offset, never start, append to or cancel one.
      if (actor.token?.readOnly && req.method !== "HEAD")
        throw new DomainError("FORBIDDEN", msg("apiTokens.readOnly"));
      return actor;
    } catch (err) {
      return refuse(err);
    }
  }

  async function ownUpload(actor: Actor, id: string): Promise<UploadInfo | null> {
    const info = await readUploadInfo(deps.storeDir, id);
    // Someone else's upload does not exist as far as this caller can tell.
    return info && info.ownerId === actor.id ? info : null;
  }

  const options = (): Response =>
    new Response(null, {
      status: 204,
      headers: {
        "tus-resumable": TUS_VERSION,
        "tus-version": TUS_VERSION,
        "tus-extension": TUS_EXTENSIONS,
        "tus-max-size": String(deps.maxBytes),
      },
    });

  /** Creation: checks who and what before a single byte is accepted. */
  async function create(req: Request): Promise<Response> {
    const actor = await guard(req);
    if (actor instanceof Response) return actor;
    if (req.headers.get("upload-defer-length") !== null)
      return fail(400, "Upload-Defer-Length is not supported: send Upload-Length.");
    const length = parseNonNegativeInt(req.headers.get("upload-length"));
    if (length === null || length === 0)
      return fail(400, "Upload-Length is missing or not a positive whole number.");
    if (length > deps.maxBytes)
      return failWith(
        413,
        new DomainError("INVALID", msg("images.tooLarge", { maxBytes: deps.maxBytes }), {
          file: msg("field.tooLarge"),
        }),
      );
    const metadata = parseUploadMetadata(req.headers.get("upload-metadata"));
    if (!metadata) return fail(400, "Upload-Metadata is malformed.");
    const parsed = uploadImageInput.safeParse(metadata);
    if (!parsed.success) {
      return failWith(
        400,
        new DomainError("INVALID", msg("invalidInput"), issueFieldMessages(parsed.error.issues)),
      );
    }
    let image: UploadInfo["image"];
    try {
      image = await authorizeImageUpload(deps.db, actor, parsed.data);
    } catch (err) {
      return refuse(err);
    }
    await mkdir(uploadsDir(deps.storeDir), { recursive: true, mode: 0o700 });
    void sweepStaleUploads(deps.storeDir, STALE_AFTER_MS).catch(() => undefined);
    const id = randomUUID();
    try {
      // Refused before a byte is sent when the announced size, with the caller's other open uploads,
      // would pass the images quota, or when they have too many open; the import checks again,
      // atomically, with the size it stores.
      await admitUpload(deps.db, {
        actor,
        image,
        length,
        listOpenUploads: () => listOpenUploads(deps.storeDir, STALE_AFTER_MS),
        record: async () => {
          await writeUploadInfo(deps.storeDir, {
            id,
            ownerId: actor.id,
            length,
            metadata,
            image,
            createdAt: new Date().toISOString(),
          });
          // The data file exists from the start, so HEAD answers 0 rather than "not found".
          await writeFile(uploadDataPath(deps.storeDir, id), new Uint8Array(0), { mode: 0o600 });
        },
      });
    } catch (err) {
      // A failed COMMIT after the record was written: the upload must not linger as open.
      await removeUpload(deps.storeDir, id).catch(() => undefined);
      return refuse(err);
    }
    await deps.audit?.(actor, id, true, readClientIp(req.headers));
    return answer(201, { location: `${deps.basePath}/${id}`, "upload-offset": "0" });
  }

  async function head(req: Request, id: string): Promise<Response> {
    const actor = await guard(req);
    if (actor instanceof Response) return actor;
    await settle(id);
    const info = await ownUpload(actor, id);
    if (!info) return answer(404);
    const offset = await uploadOffset(deps.storeDir, id);
    return answer(200, {
      "upload-offset": String(offset),
      "upload-length": String(info.length),
      ...(Object.keys(info.metadata).length
        ? { "upload-metadata": formatUploadMetadata(info.metadata) }
        : {}),
    });
  }

  /** Appends the body at Upload-Offset; on the last byte, hands the file to the import task. */
  async function patch(req: Request, id: string, nodeBody?: AsyncIterable<Uint8Array>): Promise<Response> {
    const actor = await guard(req);
    if (actor instanceof Response) return actor;
    if (req.headers.get("content-type") !== TUS_CONTENT_TYPE)
      return fail(415, `Content-Type must be ${TUS_CONTENT_TYPE}.`);
    const claimed = parseNonNegativeInt(req.headers.get("upload-offset"));
    if (claimed === null) return fail(400, "Upload-Offset is missing or malformed.");
    await settle(id);
    if (inflight.has(id))
      return fail(409, "Another request is still writing to this upload; try again.", "CONFLICT");
    // The slot is taken in the same tick as the check: a second PATCH arriving during the awaits below
    // is refused instead of appending to the same file at the same offset.
    let release!: () => void;
    inflight.set(
      id,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    try {
      return await patchHoldingSlot(req, id, actor, claimed, nodeBody);
    } finally {
      inflight.delete(id);
      release();
    }
  }

  async function patchHoldingSlot(
    req: Request,
    id: string,
    actor: Actor,
    claimed: number,
    nodeBody?: AsyncIterable<Uint8Array>,
  ): Promise<Response> {
    const info = await ownUpload(actor, id);
    if (!info) return answer(404);
    const offset = await uploadOffset(deps.storeDir, id);
    if (claimed !== offset)
      return answer(
        409,
        { "upload-offset": String(offset) },
        { error: "CONFLICT", message: `The upload is at offset ${offset}, not ${claimed}.` },
      );
    // Node's web streams are async iterable (the DOM typings used here do not say so).
    const body = nodeBody ?? (req.body as unknown as AsyncIterable<Uint8Array> | null);
    if (!body) return answer(204, { "upload-offset": String(offset) });

    let result: { written: number; overflow: boolean };
    try {
      result = await receive(body, id, offset, info.length);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOSPC")
        return fail(
          507,
          "The image store is full; the upload stopped. Free space, then resume it.",
          "UNAVAILABLE",
        );
      // A write or flush of the file failed (not the connection): the offset must not be trusted.
      if ((err as NodeJS.ErrnoException).syscall)
        return fail(500, "The upload could not be written to disk; try to resume it later.", "UNAVAILABLE");
      // The connection dropped: what arrived is on disk and HEAD will say how much.
      return answer(400, {}, { error: "INVALID", message: "The upload was interrupted." });
    }
    if (result.overflow) {
      // This request's bytes are dropped whole, so the upload is where it was and a corrected client resumes.
      await truncate(uploadDataPath(deps.storeDir, id), offset);
      return fail(413, "The request carried more bytes than Upload-Length.");
    }
    const now = offset + result.written;
    if (now < info.length) return answer(204, { "upload-offset": String(now) });
    const taskId = await finish(info);
    return answer(204, { "upload-offset": String(now), "educloud-task-id": taskId });
  }

  /**
   * Appends the body to the upload's file, never past Upload-Length, flushing it to disk as it goes
   * (sync-pacer.ts) and once more at the end. Each chunk (64 KiB from Node's socket) is written the
   * moment it arrives, on this thread (writeSync). Handing the writes to libuv's threadpool instead made
   * uploads about half as fast on our 2-vCPU hosts (bench/README.md: the client, the event loop and a
   * pool thread then compete for two CPUs); one 64 KiB write into the page cache takes a fraction of a
   * millisecond, so other requests still get the event loop between chunks. The pacer bounds this
   * upload's own dirty pages; a write can still wait in the kernel when the whole machine has too many
   * (several large uploads and a conversion at once on a small VM), as any buffered write would.
   * If the connection drops, what arrived is in the file (HEAD reports its size, so a client resumes
   * from there) and the error is passed on. Leaving the loop early (too many bytes, a failed write) does
   * not destroy Node's request, so the answer still reaches the client; Node discards the rest.
   */
  async function receive(
    body: AsyncIterable<Uint8Array>,
    id: string,
    offset: number,
    length: number,
  ): Promise<{ written: number; overflow: boolean }> {
    const room = length - offset;
    const fh = await open(uploadDataPath(deps.storeDir, id), "a");
    const pacer = createSyncPacer(fh);
    let received = 0;
    let overflow = false;
    const chunks = body instanceof Readable ? body.iterator({ destroyOnReturn: false }) : body;
    try {
      // Node's request (served by the custom server) or a web stream (route handlers): both iterate.
      for await (const value of chunks) {
        if (received + value.length > room) {
          overflow = true;
          break;
        }
        writeAll(fh.fd, value);
        received += value.length;
        const behind = pacer.wrote(received);
        if (behind) await behind;
      }
    } catch (err) {
      discardRest(body);
      // What arrived goes to disk before the error is passed on (a resume trusts HEAD's offset).
      await pacer
        .finish()
        .catch(() => undefined)
        .finally(() => fh.close());
      throw err;
    }
    if (overflow) discardRest(body);
    // On disk before the offset is acknowledged: a client resuming from an offset must never skip
    // bytes a crash of this host lost. A failed flush fails the request.
    try {
      await pacer.finish();
    } finally {
      await fh.close();
    }
    return { written: received, overflow };
  }

  async function finish(info: UploadInfo): Promise<string> {
    await mkdir(incomingDir(deps.storeDir), { recursive: true, mode: 0o700 });
    const incomingPath = join(incomingDir(deps.storeDir), info.id);
    await rename(uploadDataPath(deps.storeDir, info.id), incomingPath);
    const { taskId, done } = await startImageImport(
      {
        db: deps.db,
        storeDir: deps.storeDir,
        maxBytes: deps.maxBytes,
        convertTimeoutSeconds: deps.convertTimeoutSeconds,
        maxVirtualBytes: deps.maxVirtualBytes,
        onError: deps.onImportError,
      },
      { ...info.image, incomingPath },
    );
    // Nothing of the upload stays behind: the import owns the file now, and the client forgets the URL
    // when it sees the last offset (a HEAD afterwards answers 404).
    await removeUpload(deps.storeDir, info.id);
    deps.onImportStarted?.(taskId, done);
    return taskId;
  }

  async function terminate(req: Request, id: string): Promise<Response> {
    const actor = await guard(req);
    if (actor instanceof Response) return actor;
    await settle(id);
    const info = await ownUpload(actor, id);
    if (!info) return answer(404);
    await removeUpload(deps.storeDir, id);
    return answer(204);
  }

  return { options, create, head, patch, terminate };
}
