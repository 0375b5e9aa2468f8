// Rows for snapshot and volume tests (no files, no agent): a snapshot of an instance, a volume on a host.
import { randomUUID } from "node:crypto";
import { snapshots, volumes, type SnapshotState, type VolumeState } from "@/db/schema";
import { uniqueName, type TestServices } from "./fixtures";

export async function makeSnapshotRow(
  s: TestServices,
  instanceId: string,
  state: SnapshotState = "ready",
): Promise<string> {
  const id = randomUUID();
  await s.db.insert(snapshots).values({
    id,
    instanceId,
    name: uniqueName("snap"),
    state,
    sizeBytes: state === "ready" ? 1_000_000 : null,
  });
  return id;
}

export async function makeVolumeRow(
  s: TestServices,
  o: {
    ownerId: number;
    groupId: number | null;
    hostId: string;
    state?: VolumeState;
    instanceId?: string | null;
    sizeGiB?: number;
  },
): Promise<string> {
  const id = randomUUID();
  await s.db.insert(volumes).values({
    id,
    name: uniqueName("vol"),
    ownerId: o.ownerId,
    groupId: o.groupId,
    hostId: o.hostId,
    sizeGiB: o.sizeGiB ?? 1,
    state: o.state ?? "available",
    instanceId: o.instanceId ?? null,
  });
  return id;
}
