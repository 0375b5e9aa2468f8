import { parseJob, type JobName } from "../../protocol/index";
import { handleCreateInstance } from "./create-instance";
import type { JobContext } from "./job-context";
import { handleApplyNetwork, handleRemoveNetwork } from "./network-jobs";
import {
  handleDeleteInstance,
  handleRebootInstance,
  handleStartInstance,
  handleStopInstance,
} from "./power-actions";
import { handleResizeInstance } from "./resize-instance";
import { handleResetInstance } from "./reset-instance";
import { handleSyncImage } from "./sync-image";
import { handleCaptureInstance } from "./capture-instance";
import { handleSnapshotJob, handleVolumeJob } from "./storage-jobs";

/** Parses the payload with the shared schema, then runs the handler for the job's name. */
export async function handleJob(ctx: JobContext, name: string, data: unknown): Promise<void> {
  switch (name as JobName) {
    case "instance.create":
      return handleCreateInstance(ctx, parseJob("instance.create", data));
    case "instance.start":
      return handleStartInstance(ctx, parseJob("instance.start", data).instanceId);
    case "instance.stop": {
      const j = parseJob("instance.stop", data);
      return handleStopInstance(ctx, j.instanceId, j.timeoutMs);
    }
    case "instance.reboot":
      return handleRebootInstance(ctx, parseJob("instance.reboot", data).instanceId);
    case "instance.delete":
      return handleDeleteInstance(ctx, parseJob("instance.delete", data).instanceId);
    case "instance.resize":
      return handleResizeInstance(ctx, parseJob("instance.resize", data));
    case "instance.reset":
      return handleResetInstance(ctx, parseJob("instance.reset", data));
    case "network.apply":
      return handleApplyNetwork(ctx, parseJob("network.apply", data));
    case "network.remove":
      return handleRemoveNetwork(ctx, parseJob("network.remove", data));
    case "image.sync":
      return handleSyncImage(ctx, parseJob("image.sync", data));
    case "snapshot.create":
      return handleSnapshotJob(ctx, "create", parseJob("snapshot.create", data));
    case "snapshot.revert":
      return handleSnapshotJob(ctx, "revert", parseJob("snapshot.revert", data));
    case "snapshot.delete":
      return handleSnapshotJob(ctx, "delete", parseJob("snapshot.delete", data));
    case "instance.capture":
      return handleCaptureInstance(ctx, parseJob("instance.capture", data));
    case "volume.create":
      return handleVolumeJob(ctx, "create", parseJob("volume.create", data));
    case "volume.attach":
      return handleVolumeJob(ctx, "attach", parseJob("volume.attach", data));
    case "volume.detach":
      return handleVolumeJob(ctx, "detach", parseJob("volume.detach", data));
    case "volume.delete":
      return handleVolumeJob(ctx, "delete", parseJob("volume.delete", data));
    default:
      throw new Error(`This agent does not know the job “${name}”.`);
  }
}
