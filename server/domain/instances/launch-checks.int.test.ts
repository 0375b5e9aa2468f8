// What an image demands of the flavor it is launched with, and what cannot be launched at all.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { images } from "@/db/schema";
import {
  callerFor,
  allowInCatalogue,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  recordingJobs,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(async () => {
  s = openTestServices();
  await makeHost(s, { cpuCount: 16, memoryMiB: 65536 });
});
afterAll(() => s?.close());

async function launch(
  imagePatch: Partial<typeof images.$inferInsert>,
  flavor: { memoryMiB: number; diskGiB: number },
) {
  const imageId = await makeImageRow(s);
  await s.db.update(images).set(imagePatch).where(eq(images.id, imageId));
  const flavorId = await makeFlavor(s, { vcpus: 1, ...flavor });
  const group = await makeGroup(s);
  await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [flavorId] });
  const user = await makeUser(s, "user", [group]);
  return callerFor(s, user, undefined, { jobs: recordingJobs() })
    .instances.create({ name: "check", imageId, flavorId })
    .catch((e: unknown) => e);
}

describe("launch checks", () => {
  it("refuses a flavor below the image's minimum RAM or disk, naming both figures", async () => {
    const ram = await launch({ name: "win-like", minRamMiB: 2048 }, { memoryMiB: 512, diskGiB: 10 });
    expect((ram as TRPCError).message).toBe(
      "win-like needs at least 2048 MiB of RAM; the flavor has 512 MiB.",
    );
    const disk = await launch({ name: "big-root", minDiskGiB: 20 }, { memoryMiB: 512, diskGiB: 10 });
    expect((disk as TRPCError).message).toBe(
      "big-root needs a disk of at least 20 GiB; the flavor has 10 GiB.",
    );
    const ok = await launch(
      { name: "fits", minRamMiB: 512, minDiskGiB: 10 },
      { memoryMiB: 512, diskGiB: 10 },
    );
    expect(ok).toMatchObject({ state: "SCHEDULED" });
  });

  it("refuses to boot an ISO as a disk", async () => {
    const iso = await launch(
      { name: "installer.iso", sourceFormat: "iso", format: "raw" },
      { memoryMiB: 512, diskGiB: 10 },
    );
    expect(iso).toBeInstanceOf(TRPCError);
    expect((iso as TRPCError).code).toBe("BAD_REQUEST");
    expect((iso as TRPCError).message).toMatch(/is an ISO \(installation media\)/);
  });
});
