// An image upload over tus in the browser: the progress bar moves while bytes go out, a reload in the
// middle does not lose them (choosing the same file again resumes from the server's offset, not from 0),
// the conversion task shows on the Tasks page, and the stored image downloads with progress.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

const SIZE = 48 * 1024 * 1024;
let dir = "";
let file = "";
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "e2e-upload-"));
  file = join(dir, "lab-disk.raw");
  writeFileSync(file, randomBytes(SIZE)); // binary, whole sectors: a raw disk as far as the checks go
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Chromium's own throttling of what the page sends (bytes per second; -1 = off). */
async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

const uploadBar = (page: Page) => page.getByRole("progressbar", { name: "Upload progress" });
const valueOf = async (page: Page) => Number(await uploadBar(page).getAttribute("aria-valuenow"));

async function startUpload(page: Page, name: string) {
  await page.getByRole("button", { name: "Upload image" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Image file").setInputFiles(file);
  await dialog.getByLabel("Name").fill(name);
  await expect(dialog.getByLabel("Format")).toHaveValue("raw");
  await dialog.getByRole("button", { name: "Upload", exact: true }).click();
  return dialog;
}

test.beforeEach(async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
});

test("an upload shows progress, survives a reload, resumes from where it was, and is converted", async ({
  page,
}) => {
  test.setTimeout(150_000);
  const name = uniqueName("lab-disk");
  await page.goto("/admin/images");
  await throttleUploads(page, 3 * 1024 * 1024);
  await startUpload(page, name);

  // The bar moves: two readings a moment apart.
  await expect.poll(() => valueOf(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
  const first = await valueOf(page);
  await page.waitForTimeout(1500);
  const second = await valueOf(page);
  expect(second).toBeGreaterThan(first);
  await screenshot(page, "images-upload-progress");

  await expect.poll(() => valueOf(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(35);
  const beforeReload = await valueOf(page);
  await page.reload();

  // After the reload: the same file again resumes, it does not start from zero.
  await throttleUploads(page, 3 * 1024 * 1024);
  await page.getByRole("button", { name: "Upload image" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("pending-uploads")).toContainText("lab-disk.raw");
  await dialog.getByLabel("Image file").setInputFiles(file);
  await expect(dialog.getByTestId("will-resume")).toBeVisible();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Upload", exact: true }).click();
  const resumed = dialog.getByText(/Resumed from \d+%/);
  await expect(resumed).toBeVisible();
  const from = Number(/(\d+)%/.exec((await resumed.textContent()) ?? "")![1]);
  expect(from).toBeGreaterThan(0);
  expect(from).toBeGreaterThanOrEqual(Math.floor(beforeReload / 2));
  expect(await valueOf(page)).toBeGreaterThanOrEqual(from);
  await screenshot(page, "images-upload-resumed");

  await throttleUploads(page, -1);
  await expect(page.getByTestId("flash")).toContainText(`Image ${name} was uploaded.`, { timeout: 60_000 });
  const row = page.getByTestId("image-row").filter({ hasText: name });
  await expect(row).toContainText("qcow2");
  await expect(row).toContainText("← raw");
  await screenshot(page, "images-list-after-upload");

  // The download shows its own progress and saves the stored file.
  const downloading = page.waitForEvent("download", { timeout: 60_000 });
  await row.getByRole("button", { name: `Download ${name}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${name}-v1\\.qcow2$`));

  await page.goto("/tasks");
  const task = page.getByTestId("task-row").filter({ hasText: name }).first();
  await expect(task).toContainText("Image conversion");
  await expect(task).toContainText("Succeeded");
  await screenshot(page, "tasks-page");
});
