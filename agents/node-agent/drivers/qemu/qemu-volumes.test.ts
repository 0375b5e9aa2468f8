// Hot-unplug against a fake QMP endpoint: the cases a real guest cannot be made to produce on demand
// (QEMU going away mid-unplug, another device's DEVICE_DELETED arriving first).
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { slotNames } from "./build-volume-args";
import type { VmStorageAccess } from "./qemu-snapshots";
import { detachVolumeFromVm, VolumeError } from "./qemu-volumes";
import { reply, startFakeQmp, type FakeQmpBehaviour } from "./testing/fake-qmp";
import { resolveVmPaths } from "./vm-paths";
import { readVmRecord, writeVmRecord, type VmRecord } from "./vm-record";

const volumeId = randomUUID();
const device = slotNames(0).device;

let stateDir: string;
let server: Server | undefined;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "qv-"));
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

/** A running VM with the volume in slot 0, whose QMP socket is served by `behaviour`. */
async function runningVmWithVolume(behaviour: FakeQmpBehaviour): Promise<VmStorageAccess> {
  const paths = resolveVmPaths(stateDir, randomUUID());
  await mkdir(paths.qemuDir, { recursive: true });
  const record: VmRecord = {
    spec: {
      id: "vm",
      name: "vm",
      vcpus: 1,
      memoryMiB: 128,
      diskGiB: 1,
      baseImagePath: "/images/base.qcow2",
      baseImageFormat: "qcow2",
      accel: "tcg",
      volumes: [{ id: volumeId, path: join(stateDir, "volumes", `${volumeId}.qcow2`), slot: 0 }],
    },
    accel: "tcg",
    machine: "q35",
    createdAt: new Date().toISOString(),
  };
  await writeVmRecord(paths.specFile, record);
  server = await startFakeQmp(paths.qmpSocket, behaviour);
  return { paths, record, running: true, qemuImg: "qemu-img" };
}

describe("detachVolumeFromVm (running VM)", () => {
  it("fails at once, saying why, when QEMU closes QMP while the guest is still releasing the disk", async () => {
    const a = await runningVmWithVolume((m, s) => {
      if (m.execute === "query-block")
        reply(s, {
          return: [{ device: "", qdev: `/machine/peripheral/${device}/virtio-backend` }],
          id: m.id,
        });
      // QEMU accepts the unplug request, then dies (or the VM is stopped) before the guest lets go.
      else if (m.execute === "device_del") {
        reply(s, { return: {}, id: m.id });
        setTimeout(() => s.destroy(), 50);
      }
    });
    const started = Date.now();
    const error = await detachVolumeFromVm(a, volumeId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolumeError);
    expect((error as Error).message).toMatch(/QEMU closed its QMP connection/);
    // Not the 45 s unplug timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    // Still recorded: a retry (with the VM stopped, it just drops it from the spec) finishes the detach.
    expect((await readVmRecord(a.paths.specFile))?.spec.volumes?.map((v) => v.id)).toEqual([volumeId]);
  }, 15_000);

  it("waits for the DEVICE_DELETED of its own device, then drops the block node and the record", async () => {
    const commands: string[] = [];
    let released = false;
    const a = await runningVmWithVolume((m, s) => {
      commands.push(m.execute);
      if (m.execute === "query-block") {
        reply(s, {
          return: released ? [] : [{ device: "", qdev: `/machine/peripheral/${device}/virtio-backend` }],
          id: m.id,
        });
      } else if (m.execute === "device_del") {
        reply(s, { return: {}, id: m.id });
        // Another device's unplug must not end the wait.
        setTimeout(
          () =>
            reply(s, {
              event: "DEVICE_DELETED",
              data: { device: "vdev5", path: "/machine/peripheral/vdev5" },
            }),
          20,
        );
        setTimeout(() => {
          released = true;
          reply(s, { event: "DEVICE_DELETED", data: { device, path: `/machine/peripheral/${device}` } });
        }, 200);
      } else reply(s, { return: {}, id: m.id });
    });
    await detachVolumeFromVm(a, volumeId);
    expect(released).toBe(true);
    expect(commands).toEqual(["query-block", "device_del", "blockdev-del"]);
    expect((await readVmRecord(a.paths.specFile))?.spec.volumes).toEqual([]);
  });
});
