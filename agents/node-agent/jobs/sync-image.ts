import type { z } from "zod";
import type { syncImageJob } from "../../protocol/index";
import type { AgentMessage } from "../../protocol/agent-message";
import { PermanentJobError } from "../permanent-job-error";
import type { JobContext } from "./job-context";
import { throttleReports } from "./throttle-reports";

type SyncJob = z.output<typeof syncImageJob>;

const ATTEMPTS = 3;

/**
 * Puts an image into this host's cache ahead of time, reporting progress about once a second.
 * Retries by itself (the portal's task shows one outcome, not three), then reports the failure.
 */
export async function handleSyncImage(ctx: JobContext, job: SyncJob): Promise<void> {
  const report = (
    state: "fetching" | "cached" | "failed",
    extra: { bytesDone?: number; reason?: string; reasonMessage?: AgentMessage } = {},
  ) =>
    ctx.events.send({
      type: "image.cache",
      hostId: ctx.hostId,
      at: new Date(),
      sha256: job.image.sha256,
      state,
      bytesTotal: job.image.sizeBytes,
      taskId: job.taskId,
      ...extra,
    });
  const already = await ctx.images.has(job.image);
  await report("fetching", { bytesDone: 0 });
  const progress = throttleReports((f: number) =>
    report("fetching", { bytesDone: Math.round(f * job.image.sizeBytes) }),
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.images.ensure(job.image, progress);
      await report("cached", {
        bytesDone: job.image.sizeBytes,
        reason: already ? "Already cached on the host" : "Fetched and verified",
        reasonMessage: { code: already ? "agent.alreadyCached" : "agent.fetchedAndVerified", params: {} },
      });
      return;
    } catch (err) {
      const permanent = err instanceof PermanentJobError;
      if (permanent || attempt >= ATTEMPTS) {
        await report("failed", {
          reason: (err as Error).message,
          reasonMessage: { code: "agent.failed", params: { detail: (err as Error).message } },
        });
        throw new PermanentJobError((err as Error).message);
      }
      ctx.log.warn({ err: (err as Error).message, attempt }, "image sync failed; retrying");
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }
}
