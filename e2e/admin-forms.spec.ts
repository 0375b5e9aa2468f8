// Bad input in the admin forms gets field errors (from the browser and from the server), and nothing is
// created; groups and audit work end to end.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

test.beforeEach(async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
});

test("the new-user form names each invalid field, and a taken username comes back from the server", async ({
  page,
}) => {
  await page.goto("/admin/users");
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Username").fill("x");
  await dialog.getByLabel("Password").fill("short");
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Display name")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "admin-user-form-field-errors");

  const { adminUsername } = readRunState();
  await dialog.getByLabel("Username").fill(adminUsername);
  await dialog.getByLabel("Display name").fill("Impostor");
  await dialog.getByLabel("Password").fill("long-enough-password");
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(dialog.getByText("This username is taken.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Impostor" })).toHaveCount(0);
  await screenshot(page, "admin-user-form-taken");
});

test("a group is created, and the audit log records it and exports it as CSV", async ({ page }) => {
  const group = uniqueName("Class");
  await page.goto("/admin/groups");
  await page.getByRole("button", { name: "New group" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(group);
  await dialog.getByLabel("Description").fill("Year 9, room 12");
  await dialog.getByRole("button", { name: "Create group" }).click();
  const row = page.getByRole("row").filter({ hasText: group });
  await expect(row).toBeVisible();

  await page.goto("/admin/audit");
  await page.getByLabel("Action starts with").fill("groups.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByRole("row").filter({ hasText: "groups.create" }).first()).toBeVisible();
  await screenshot(page, "admin-audit-filtered");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^audit-\d{8}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv.split("\r\n")[0]).toBe(
    "id,at,actorId,actorName,action,targetType,targetId,result,errorCode,sourceIp,detail",
  );
  expect(csv).toContain(group);
  expect(csv).not.toMatch(/users\.create/); // the filter applies to the export too
});
