// A user makes an API token in Settings: the secret is shown once (never again, not in the list), the
// role offered stops at their own, superAdm sees it among everyone's, and revoking takes it away.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { callTrpc } from "./support/trpc";
import { readRunState } from "./support/run-state";

test("create an API token, see its secret once, revoke it", async ({ page, browser }) => {
  const { adminUsername, adminPassword, baseURL } = readRunState();
  const name = uniqueName("scripter");
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  await callTrpc(
    page.request,
    "users.create",
    {
      username: name,
      displayName: "Scripter",
      password: "scripter-password-1",
      role: "powerUser",
      groupIds: [],
    },
    "mutation",
  );
  await signOut(page);

  await signInAndWaitForDashboard(page, name, "scripter-password-1");
  await page.goto("/settings");
  const section = page.getByTestId("api-tokens");
  await expect(section.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(section.getByText("You have no API tokens.")).toBeVisible();
  // A powerUser sees no "All users' API tokens" (superAdm's).
  await expect(page.getByTestId("all-api-tokens")).toHaveCount(0);

  await section.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  // Empty name: refused beside the field, in the browser.
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByText("Required.")).toBeVisible();
  await dialog.getByLabel("Name").fill("nightly backup");
  await dialog.getByLabel("Expires after").selectOption("90");
  // The roles offered stop at the user's own.
  const roles = await dialog.getByLabel("Role").locator("option").allTextContents();
  expect(roles).toEqual(["User", "Power user"]);
  await dialog.getByLabel("Role").selectOption("user");
  await dialog.getByLabel("Read-only").check();
  await dialog.getByRole("button", { name: "Create token" }).click();

  const shown = page.getByRole("dialog", { name: "Your new API token" });
  await expect(shown.getByText("It is shown only once")).toBeVisible();
  const secret = (await shown.getByTestId("api-token-secret").textContent())!.trim();
  expect(secret).toMatch(/^ect_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole("button", { name: "Copy" }).click();
  await screenshot(page, "api-token-created");
  await shown.getByRole("button", { name: "I have copied it" }).click();
  await expect(shown).toBeHidden();

  // Listed by its public half only; the secret is nowhere on the page any more, nor after a reload.
  const row = section.getByTestId("api-token-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("nightly backup");
  await expect(row).toContainText(`${secret.slice(0, 21)}…`);
  await expect(row).toContainText("Read-only");
  await expect(row).toContainText("Never");
  await page.reload();
  await expect(section.getByTestId("api-token-row")).toHaveCount(1);
  expect(await page.content()).not.toContain(secret.slice(21));
  await screenshot(page, "api-tokens-list");

  // superAdm sees it among everyone's tokens.
  const admin = await (await browser.newContext({ baseURL })).newPage();
  await signInAndWaitForDashboard(admin, adminUsername, adminPassword);
  await admin.goto("/settings");
  const all = admin.getByTestId("all-api-tokens");
  await expect(all.getByTestId("api-token-row").filter({ hasText: name })).toContainText("nightly backup");
  await admin.context().close();

  await row.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke API token" });
  await expect(confirm).toContainText("Revoke “nightly backup”?");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(section.getByText("You have no API tokens.")).toBeVisible();
  await expect(section.getByTestId("api-token-row")).toHaveCount(0);
});
