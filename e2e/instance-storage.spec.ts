// A powerUser works with an instance's storage on its page: takes a snapshot, creates a volume and
// attaches it to the running instance and detaches it again, and creates an image from the instance,
// watching the capture's progress to the end. Real agent and QEMU behind the page, no reloads.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { createStudentWhoLaunches } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc as trpc } from "./support/trpc";

/**
 * Waits for the guest's boot banner in its serial log. PCIe hot-unplug needs the guest's hot-plug driver
 * (pciehp), which a guest still booting under software emulation has not loaded yet: a person attaches a
 * disk to a machine that is up, and so does this test.
 */
async function waitForGuestBooted(instanceId: string): Promise<void> {
  const { agentStateDir } = readRunState();
  if (!agentStateDir) return;
  await expect
    .poll(() => readFile(join(agentStateDir, "vms", instanceId, "serial.log"), "utf8").catch(() => ""), {
      timeout: 120_000,
      intervals: [500],
    })
    .toContain("EDUCLOUD-TEST-GUEST READY");
}

test("a powerUser snapshots an instance, hot-plugs a volume and creates an image from it, live on its page", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const { adminUsername, adminPassword } = readRunState();
  const owner = uniqueName("pu");
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // A powerUser launches from their group's catalogue.
  await createStudentWhoLaunches(page.request, {
    username: owner,
    displayName: "Power User",
    password: "power-password-1",
    role: "powerUser",
  });
  await signOut(page);

  await signInAndWaitForDashboard(page, owner, "power-password-1");
  const images = (
    await trpc<{ items: { id: string; name: string }[] }>(
      page.request,
      "images.list",
      { search: "eduCloud test guest" },
      "query",
    )
  ).items;
  const flavors = await trpc<{ id: number; diskGiB: number }[]>(
    page.request,
    "flavors.list",
    undefined,
    "query",
  );
  const image = images.find((i) => i.name === "eduCloud test guest")!;
  const vmName = uniqueName("vm");
  const vm = await trpc<{ id: string }>(
    page.request,
    "instances.create",
    { name: vmName, imageId: image.id, flavorId: flavors[0]!.id },
    "mutation",
  );

  await page.goto(`/instances/${vm.id}`);
  await expect(page.getByRole("heading", { name: vmName })).toBeVisible();
  await expect(page.getByTestId("instance-state")).toHaveText("Running", { timeout: 150_000 });

  // Snapshot: from "Taking" to "Ready" without a reload; revert waits for a stop.
  const snapshots = page.getByTestId("snapshots-panel");
  await snapshots.getByPlaceholder("Snapshot name").fill("before changes");
  await snapshots.getByRole("button", { name: "Take snapshot" }).click();
  const snapRow = snapshots.getByTestId("snapshot-row").filter({ hasText: "before changes" });
  await expect(snapRow).toContainText("Ready", { timeout: 60_000 });
  await expect(snapRow.getByRole("button", { name: "Revert" })).toBeDisabled();
  await expect(snapshots).toContainText("Stop the instance to revert");

  // Volume: create on this host, attach (hot-plug), detach; delete only when detached.
  const volumes = page.getByTestId("volumes-panel");
  await volumes.getByPlaceholder("Volume name").fill("data");
  await volumes.getByLabel("Size (GiB)").fill("1");
  await volumes.getByRole("button", { name: "Create volume" }).click();
  const volRow = volumes.getByTestId("volume-row").filter({ hasText: "data" });
  await expect(volRow).toContainText("Available", { timeout: 60_000 });
  await waitForGuestBooted(vm.id);
  await volRow.getByRole("button", { name: "Attach" }).click();
  await expect(volRow).toContainText("Attached", { timeout: 60_000 });
  await expect(volRow.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await screenshot(page, "storage-01-snapshot-and-volume");
  await volRow.getByRole("button", { name: "Detach" }).click();
  await expect(volRow).toContainText("Available", { timeout: 90_000 });

  // Create image: the capture's progress is followed here, and the image is the owner's.
  const capture = page.getByTestId("capture-panel");
  const imageName = uniqueName("from-vm");
  await capture.getByPlaceholder("Image name").fill(imageName);
  await capture.getByRole("button", { name: "Create image" }).click();
  await expect(capture.getByTestId("capture-progress").getByRole("progressbar")).toBeVisible();
  await expect(capture).toContainText(`Image “${imageName}” is ready`, { timeout: 180_000 });
  await screenshot(page, "storage-02-image-created");
  const { items: mine } = await trpc<{ items: { name: string; visibility: string }[] }>(
    page.request,
    "images.list",
    { search: imageName },
    "query",
  );
  expect(mine.find((i) => i.name === imageName)).toMatchObject({ visibility: "private" });

  // Cleanup: the volume, then the instance.
  await volRow.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(volRow).toHaveCount(0, { timeout: 60_000 });
  await trpc(page.request, "instances.delete", { id: vm.id }, "mutation");
});
