// Quotas as people meet them: superAdm sets a group's limits and a role's defaults on Admin → Quotas,
// sorts the lists and downloads the CSV; a student reads "0 of 4" on their Usage page, in English and
// 简体中文; the group's usage view lists its members.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";
import { callTrpc } from "./support/trpc";

test("admin sets limits, a student reads their usage, the group view lists members", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const groupName = uniqueName("class");
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: groupName },
    "mutation",
  );
  const student = uniqueName("student");
  await callTrpc(
    page.request,
    "users.create",
    {
      username: student,
      displayName: "Li Wei",
      password: "student-password-1",
      role: "user",
      groupIds: [group.id],
    },
    "mutation",
  );
  await callTrpc(
    page.request,
    "users.create",
    {
      username: uniqueName("peer"),
      displayName: "Zhang Min",
      password: "student-password-1",
      role: "user",
      groupIds: [group.id],
    },
    "mutation",
  );

  // The admin page: the group's limits through its editor.
  await page.getByRole("link", { name: "Quotas", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Quotas" })).toBeVisible();
  await page.getByRole("button", { name: `Edit the limits of group ${groupName}` }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Instances").fill("4");
  await dialog.getByLabel("RAM (MiB)").fill("8192");
  await dialog.getByLabel("Snapshots").fill("-1");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(dialog.getByText("At least 0.")).toBeVisible();
  await dialog.getByLabel("Snapshots").fill("");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByText(`Limits of ${groupName} saved.`)).toBeVisible();
  const groupRow = page.getByRole("row").filter({ hasText: groupName });
  await expect(groupRow).toContainText("0 / 4");
  await expect(groupRow).toContainText("0 GiB / 8 GiB");

  // The student's own limit for instances.
  await page.getByLabel("Filter users").fill(student);
  await page.getByRole("button", { name: `Edit the limits of ${student}` }).click();
  await dialog.getByLabel("Instances").fill("2");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(page.getByRole("row").filter({ hasText: student })).toContainText("0 / 2");
  await page.getByLabel("Filter users").fill("");

  // Sorting is by any column; the header says which.
  const instancesHeader = page
    .getByRole("table", { name: "Users" })
    .getByRole("columnheader", { name: /Instances/ });
  await instancesHeader.getByRole("button").click();
  await expect(instancesHeader).toHaveAttribute("aria-sort", "ascending");
  await instancesHeader.getByRole("button").click();
  await expect(instancesHeader).toHaveAttribute("aria-sort", "descending");
  await screenshot(page, "quotas-admin-en");

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const csv = await readFile((await (await downloading).path())!, "utf8");
  expect(csv.split("\r\n")[0]).toMatch(/^kind,id,name,role,instances_used,instances_limit/);
  expect(csv).toContain(`group,${group.id},${groupName},,0,4,`);

  // The group's usage view (superAdm reaches every group; a group's admins theirs).
  await page.getByRole("link", { name: groupName }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Group usage" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: student })).toContainText("0 / 2");
  await expect(page.getByText("2 members.", { exact: false })).toBeVisible();
  await screenshot(page, "quotas-group-en");
  await page.getByLabel("Language", { exact: true }).selectOption("zh-CN");
  await expect(page.getByRole("heading", { level: 1, name: "用户组用量" })).toBeVisible();
  await screenshot(page, "quotas-group-zh");
  await page.goto("/admin/quotas");
  await expect(page.getByRole("heading", { level: 1, name: "配额" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: groupName })).toContainText("0 GiB / 8 GiB");
  await screenshot(page, "quotas-admin-zh");
  await page.getByLabel("语言", { exact: true }).selectOption("en");
  await signOut(page);

  // The student: the tighter of their own limit and nothing else for instances; no limit elsewhere.
  await signInAndWaitForDashboard(page, student, "student-password-1");
  await page.getByRole("link", { name: "Usage", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
  const own = page.getByRole("region", { name: "Your quota" });
  await expect(own.locator('[data-quota="instances"]')).toContainText("0 of 2");
  await expect(own.locator('[data-quota="snapshots"]')).toContainText("0 · no limit");
  const inGroup = page.getByRole("region", { name: `Group ${groupName}` });
  await expect(inGroup.locator('[data-quota="instances"]')).toContainText("0 of 4");
  await expect(inGroup.locator('[data-quota="ramMiB"]')).toContainText("0 GiB of 8 GiB");
  // Not an admin of the group: no link to the members' usage, and the admin page is refused.
  await expect(page.getByRole("link", { name: "Members' usage" })).toHaveCount(0);
  await screenshot(page, "usage-en");
  await page.getByLabel("Language", { exact: true }).selectOption("zh-CN");
  await expect(page.getByRole("heading", { level: 1, name: "用量" })).toBeVisible();
  await expect(
    page.getByRole("region", { name: "你的配额" }).locator('[data-quota="instances"]'),
  ).toContainText("0 / 2");
  await screenshot(page, "usage-zh");
  await page.getByLabel("语言", { exact: true }).selectOption("en");
  await page.goto("/admin/quotas");
  await expect(page.getByRole("heading", { level: 1, name: "Quotas" })).toHaveCount(0);
  await page.goto(`/usage/groups/${group.id}`);
  await expect(page.getByTestId("forbidden")).toContainText("Power admin");
});
