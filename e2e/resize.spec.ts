// Resize end to end, real agent and QEMU behind the page: an instance is stopped, a flavor too large for
// its host is refused with the host and the reason, a larger one is accepted, the task runs and ends,
// the timeline says from what to what and who, and the instance starts again with its new size. The
// dialog and the timeline are looked at in 简体中文 too.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { callTrpc as trpc, tryTrpc } from "./support/trpc";
import { readRunState } from "./support/run-state";

test("a stopped instance is resized to a larger flavor and starts with it", async ({ page }) => {
  test.setTimeout(300_000);
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);

  const flavors = await trpc<{ id: number; name: string }[]>(
    page.request,
    "flavors.list",
    undefined,
    "query",
  );
  const tiny = flavors.find((f) => f.name === "m1.tiny")!;
  const images = (
    await trpc<{ items: { id: string; name: string }[] }>(
      page.request,
      "images.list",
      { search: "eduCloud test guest" },
      "query",
    )
  ).items;
  const guest = images.find((i) => i.name === "eduCloud test guest")!;
  const bigName = uniqueName("m1.bigger");
  const hugeName = uniqueName("m1.huge");
  await trpc(
    page.request,
    "flavors.create",
    { name: bigName, vcpus: 2, memoryMiB: 384, diskGiB: 2 },
    "mutation",
  );
  await trpc(
    page.request,
    "flavors.create",
    { name: hugeName, vcpus: 2, memoryMiB: 256 * 1024, diskGiB: 2 },
    "mutation",
  );
  const name = uniqueName("grow");
  const created = await trpc<{ id: string }>(
    page.request,
    "instances.create",
    { name, imageId: guest.id, flavorId: tiny.id, nics: [] },
    "mutation",
  );

  try {
    await page.goto(`/instances/${created.id}`);
    await expect(page.getByRole("heading", { name })).toBeVisible();
    const state = page.getByTestId("instance-state");
    await expect(state).toHaveText("Running", { timeout: 120_000 });
    // Not offered while it runs.
    await expect(page.getByRole("button", { name: "Resize", exact: true })).toHaveCount(0);
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await expect(state).toHaveText("Stopped", { timeout: 90_000 });

    await page.getByRole("button", { name: "Resize", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Now: m1.tiny — 1 vCPU, 256 MiB, 1 GiB");
    // Too large for the host: refused, naming the host and why.
    await dialog.getByLabel("New flavor").selectOption({ label: `${hugeName} — 2 vCPUs, 262144 MiB, 2 GiB` });
    await dialog.getByRole("button", { name: "Resize", exact: true }).click();
    await expect(dialog).toContainText(
      /The instance's host cannot take the new size now: e2e-host: not enough RAM/,
    );
    await screenshot(page, "resize-01-refused-host-full");

    await dialog.getByLabel("New flavor").selectOption({ label: `${bigName} — 2 vCPUs, 384 MiB, 2 GiB` });
    await screenshot(page, "resize-02-dialog");
    await dialog.getByRole("button", { name: "Resize", exact: true }).click();
    await expect(page.getByTestId("flash")).toContainText(`Instance ${name} is being resized.`);
    await screenshot(page, "resize-03a-resizing");
    const events = page.getByTestId("instance-events");
    await expect(events).toContainText(/Resized to m1\.bigger-\w+ \(2 vCPUs, 384 MiB, 2 GiB\)/, {
      timeout: 60_000,
    });
    await expect(events).toContainText(
      `Resize from m1.tiny (1 vCPU, 256 MiB, 1 GiB) to ${bigName} (2 vCPUs, 384 MiB, 2 GiB) requested by ${adminUsername}`,
    );
    await expect(state).toHaveText("Stopped");
    await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
    await screenshot(page, "resize-03-resized");

    // The list offers it on the stopped instance's row too.
    await page.goto("/instances");
    const row = page.getByTestId("instance-row").filter({ hasText: name });
    await expect(row.getByRole("button", { name: "Resize", exact: true })).toBeVisible();
    await expect(row).toContainText(`${bigName} · 2 vCPUs / 384 MiB`);
    await screenshot(page, "resize-03b-list");
    await page.goto(`/instances/${created.id}`);

    // The same page and dialog in 简体中文.
    await trpc(page.request, "account.updatePreferences", { locale: "zh-CN" }, "mutation");
    await page
      .context()
      .addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: new URL("/", page.url()).href }]);
    await page.reload();
    await expect(page.getByTestId("instance-events")).toContainText("规格已调整为");
    await expect(page.getByTestId("instance-events")).not.toContainText(/requested by|Resized to/);
    await screenshot(page, "resize-04-zh-timeline");
    await page.getByRole("button", { name: "调整规格", exact: true }).click();
    await expect(page.getByRole("dialog")).toContainText("当前：");
    await screenshot(page, "resize-05-zh-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();
    await trpc(page.request, "account.updatePreferences", { locale: "en" }, "mutation");
    await page
      .context()
      .addCookies([{ name: "NEXT_LOCALE", value: "en", url: new URL("/", page.url()).href }]);
    await page.reload();

    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect(state).toHaveText("Running", { timeout: 120_000 });
    await expect(page.getByText("384 MiB").first()).toBeVisible();
    await screenshot(page, "resize-06-running-bigger");
  } finally {
    await tryTrpc(page.request, "account.updatePreferences", { locale: "en" }, "mutation");
    await tryTrpc(page.request, "instances.delete", { id: created.id }, "mutation");
  }
});
