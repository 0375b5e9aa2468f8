// Capture an instance's disk into a new image. The driver writes one standalone qcow2 (overlay and
// base together); the agent streams it to the portal, which checks and stores it like any upload.
// Progress goes to the portal's task about once a second: 0–60 % copying the disk, 60–95 % uploading,
// the rest is the portal's own import.
import { createReadStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import type { z } from "zod";
import { capturePath, type captureInstanceJob } from "../../protocol/index";
import type { JobContext } from "./job-context";
import { throttleReports } from "./throttle-reports";

type CaptureJob = z.output<typeof captureInstanceJob>;

const COPY_SHARE = 60;
const UPLOAD_SHARE = 35;

export async function handleCaptureInstance(ctx: JobContext, job: CaptureJob): Promise<void> {
  const send = (
    state: "running" | "failed",
    percent: number,
    extra: { message?: string; reason?: string; bytesDone?: number; bytesTotal?: number } = {},
  ) =>
    ctx.events.send({
      type: "task.progress",
      hostId: ctx.hostId,
      at: new Date(),
      taskId: job.taskId,
      state,
      percent,
      ...extra,
    });
  const throttled = throttleReports(
    (percent: number, extra: { message: string; bytesDone?: number; bytesTotal?: number }) =>
      send("running", percent, extra),
  );
  const dir = join(ctx.stateDir ?? "/var/lib/educloud-agent", "captures");
  const target = join(dir, `${job.taskId}.qcow2`);
  try {
    const driver = await ctx.drivers.forVm(job.instanceId);
    if (!driver) throw new Error(`no VM ${job.instanceId} on this host`);
    if (!driver.exportDisk) throw new Error(`the ${driver.kind} driver cannot capture disks`);
    if (!ctx.authHeader || !ctx.portalUrl)
      throw new Error("this agent has no host credentials to upload with");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await send("running", 1, { message: "Copying the instance's disk" });
    await driver.exportDisk(job.instanceId, target, (f) =>
      throttled(Math.round(f * COPY_SHARE), {
        message: `Copying the instance's disk: ${Math.round(f * 100)}%`,
      }),
    );
    const size = (await stat(target)).size;
    await send("running", COPY_SHARE, {
      message: "Uploading to the image store",
      bytesDone: 0,
      bytesTotal: size,
    });
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        throttled(COPY_SHARE + Math.round((sent / size) * UPLOAD_SHARE), {
          message: "Uploading to the image store",
          bytesDone: sent,
          bytesTotal: size,
        });
        done(null, chunk);
      },
    });
    const body = Readable.toWeb(
      createReadStream(target, { highWaterMark: 1024 * 1024 }).pipe(counter),
    ) as ReadableStream;
    // Always the portal this host joined: a job cannot name where the disk and the credentials go.
    const res = await fetch(new URL(capturePath(job.taskId), ctx.portalUrl), {
      method: "PUT",
      redirect: "error",
      body,
      duplex: "half",
      headers: {
        authorization: ctx.authHeader,
        "content-type": "application/octet-stream",
        "content-length": String(size),
      },
    } as RequestInit);
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON */
      }
      throw new Error(`the portal refused the captured disk (HTTP ${res.status}): ${message}`);
    }
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    ctx.log.warn({ err: reason, taskId: job.taskId }, "capture failed");
    await send("failed", 0, { reason }).catch(() => undefined);
  } finally {
    await rm(target, { force: true });
  }
}
