// Instance storage: thin procedures over server/domain/{snapshots,volumes,captures}.
import { captureInstance } from "@/server/domain/captures/capture-instance";
import { captureInstanceInput } from "@/server/domain/captures/schemas";
import {
  createSnapshot,
  deleteSnapshot,
  listSnapshots,
  revertSnapshot,
} from "@/server/domain/snapshots/manage-snapshots";
import { createSnapshotInput, listSnapshotsInput, snapshotIdInput } from "@/server/domain/snapshots/schemas";
import {
  attachVolume,
  createVolume,
  deleteVolume,
  detachVolume,
  listVolumes,
} from "@/server/domain/volumes/manage-volumes";
import {
  attachVolumeInput,
  createVolumeInput,
  listVolumesInput,
  volumeIdInput,
} from "@/server/domain/volumes/schemas";
import { createTRPCRouter, procedureFor } from "../trpc";

export const snapshotsRouter = createTRPCRouter({
  list: procedureFor("snapshots", "list")
    .input(listSnapshotsInput)
    .query(({ ctx, input }) => listSnapshots(ctx, input.instanceId)),
  create: procedureFor("snapshots", "create")
    .input(createSnapshotInput)
    .mutation(({ ctx, input }) => createSnapshot(ctx, input)),
  revert: procedureFor("snapshots", "revert")
    .input(snapshotIdInput)
    .mutation(({ ctx, input }) => revertSnapshot(ctx, input.id)),
  delete: procedureFor("snapshots", "delete")
    .input(snapshotIdInput)
    .mutation(({ ctx, input }) => deleteSnapshot(ctx, input.id)),
});

export const volumesRouter = createTRPCRouter({
  list: procedureFor("volumes", "list")
    .input(listVolumesInput)
    .query(({ ctx, input }) => listVolumes(ctx, input)),
  create: procedureFor("volumes", "create")
    .input(createVolumeInput)
    .mutation(({ ctx, input }) => createVolume(ctx, input)),
  attach: procedureFor("volumes", "attach")
    .input(attachVolumeInput)
    .mutation(({ ctx, input }) => attachVolume(ctx, input)),
  detach: procedureFor("volumes", "detach")
    .input(volumeIdInput)
    .mutation(({ ctx, input }) => detachVolume(ctx, input.id)),
  delete: procedureFor("volumes", "delete")
    .input(volumeIdInput)
    .mutation(({ ctx, input }) => deleteVolume(ctx, input.id)),
});

export const capturesRouter = createTRPCRouter({
  /** Returns the task id; the Tasks page (and the instance's panel) follow its progress. */
  create: procedureFor("instances", "capture")
    .input(captureInstanceInput)
    .mutation(({ ctx, input }) => captureInstance(ctx, input)),
});
