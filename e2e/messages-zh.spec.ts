// A 简体中文 user sees server-made text in Chinese: the sign-in page follows the browser's language,
// and on a running instance's page the timeline (events the server and the agent recorded), a refusal
// (volume quota) and, on the Tasks page, a task message are rendered from their codes — no English left.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { callTrpc as trpc, tryTrpc } from "./support/trpc";
import { readRunState } from "./support/run-state";

// Sentences the server used to send in English; none may show up for a Chinese reader.
const ENGLISH =
  /Now running|software emulation|requested by|Scheduled on host|Volume quota|Stored as|Cached on the host|Fetched and verified|Already cached|Queued for|Fetching the base image|Base image is cached|GiB left/;

test.use({ locale: "zh-CN" });

test("a Chinese user sees timeline events, a refusal and a task message in Chinese", async ({ page }) => {
  test.setTimeout(300_000);
  const { adminUsername, adminPassword } = readRunState();
  const user = uniqueName("zh-admin");

  // Before anyone chose a language, the sign-in page follows the browser (Accept-Language: zh-CN).
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
  await screenshot(page, "messages-zh-01-login");

  // The run's admin signs in (its account language is English) and makes a user for this spec.
  await page.getByLabel("用户名").fill(adminUsername);
  await page.getByLabel("密码").fill(adminPassword);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await trpc(
    page.request,
    "users.create",
    { username: user, displayName: "中文用户", password: "zh-password-1", role: "superAdm", groupIds: [] },
    "mutation",
  );
  await signOut(page);

  await signInAndWaitForDashboard(page, user, "zh-password-1");
  await trpc(page.request, "account.updatePreferences", { locale: "zh-CN" }, "mutation");
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: page.url() }]);

  const images = (
    await trpc<{ items: { id: string; name: string }[] }>(
      page.request,
      "images.list",
      { search: "eduCloud test guest" },
      "query",
    )
  ).items;
  const flavors = await trpc<{ id: number }[]>(page.request, "flavors.list", undefined, "query");
  const hosts = await trpc<{ id: string; name: string }[]>(page.request, "hosts.list", undefined, "query");
  const image = images.find((i) => i.name === "eduCloud test guest")!;
  const vmName = uniqueName("vm");
  const vm = await trpc<{ id: string }>(
    page.request,
    "instances.create",
    { name: vmName, imageId: image.id, flavorId: flavors[0]!.id },
    "mutation",
  );
  try {
    await page.goto(`/instances/${vm.id}`);
    await expect(page.getByRole("heading", { name: vmName })).toBeVisible();
    await expect(page.getByTestId("instance-state")).toHaveText("运行中", { timeout: 180_000 });

    // The timeline: recorded by the portal ("create requested", "scheduled") and from the agent's report.
    const events = page.getByTestId("instance-events");
    await expect(events).toContainText(`${user} 请求创建`);
    await expect(events).toContainText("已调度到宿主机");
    await expect(events).toContainText(/现在运行中/);
    // Whatever else the timeline holds (the agent's reports included), it has no English words left
    // besides names and the untranslated terms KVM/TCG.
    const words = (await events.innerText())
      .replaceAll(user, "")
      .replaceAll(vmName, "")
      .replace(/e2e-host/g, "")
      .match(/[A-Za-z]{3,}/g);
    expect((words ?? []).filter((w) => !["KVM", "TCG"].includes(w))).toEqual([]);

    // A refused action: more volume than the quota allows (this user's disk limit, set by the admin).
    const me = await trpc<{ id: number }>(page.request, "account.me", undefined, "query");
    await trpc(page.request, "quotas.setUserLimits", { userId: me.id, limits: { diskGiB: 50 } }, "mutation");
    const volumes = page.getByTestId("volumes-panel");
    await volumes.getByPlaceholder("数据卷名称").fill("big");
    await volumes.getByLabel("大小（GiB）").fill("500");
    await volumes.getByRole("button", { name: "创建数据卷" }).click();
    // The refusal, above the form, and its part that names the size field, beside it: each from its code.
    await expect(volumes).toContainText(/已达配额：你的磁盘（GiB）上限为 50，已用 \d+，本次还需 500。/);
    await expect(volumes).toContainText(/超出配额：上限 50，已用 \d+。/);
    await expect(volumes.getByLabel("大小（GiB）")).toHaveAttribute("aria-invalid", "true");
    await screenshot(page, "messages-zh-02-instance");
    await expect(page.locator("main")).not.toContainText(ENGLISH);

    // A task message: syncing the image to the host it is already cached on.
    await trpc(page.request, "images.sync", { id: image.id, hostIds: hosts.map((h) => h.id) }, "mutation");
    await page.goto("/tasks");
    await expect(page.locator("main")).toContainText(/宿主机上已有缓存|已下载并校验/, { timeout: 60_000 });
    await screenshot(page, "messages-zh-03-tasks");
    await expect(page.locator("main")).not.toContainText(ENGLISH);
  } finally {
    await tryTrpc(page.request, "instances.delete", { id: vm.id }, "mutation");
  }
});
