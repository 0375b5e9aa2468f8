// A user changes language, theme and password; the choices stick across sign-ins.
import { expect, test } from "@playwright/test";
import { screenshot, signIn, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

test("language, theme and password", async ({ page, browser }) => {
  const { adminUsername, adminPassword } = readRunState();
  const name = uniqueName("teacher");
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const created = await page.request.post("/api/trpc/users.create", {
    data: {
      json: {
        username: name,
        displayName: "Teacher",
        password: "first-password-1",
        role: "powerUser",
        groupIds: [],
      },
    },
  });
  expect(created.ok()).toBe(true);
  await signOut(page);

  await signInAndWaitForDashboard(page, name, "first-password-1");
  await page.getByLabel("Language", { exact: true }).selectOption("zh-CN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("仪表板");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("link", { name: "账户设置", exact: true })).toBeVisible();
  await page.getByLabel("主题", { exact: true }).selectOption("dark");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await screenshot(page, "settings-zh-dark");

  // Back to English for the password form's labels.
  await page.getByLabel("语言", { exact: true }).selectOption("en");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Account settings" })).toBeVisible();
  await page.getByLabel("Current password").fill("wrong-current-1");
  await page.getByLabel("New password", { exact: true }).fill("second-password-2");
  await page.getByLabel("Confirm new password").fill("second-password-2");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Wrong password.")).toBeVisible();
  await page.getByLabel("Current password").fill("first-password-1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password has been changed.")).toBeVisible();
  await screenshot(page, "settings-password-changed");
  await signOut(page);

  await signIn(page, name, "first-password-1");
  await expect(page.getByTestId("form-error")).toHaveText("Wrong username or password.");
  await signInAndWaitForDashboard(page, name, "second-password-2");

  // Another browser (no cookies of ours): the dark theme saved to the account comes with the sign-in.
  const elsewhere = await (await browser.newContext({ baseURL: readRunState().baseURL })).newPage();
  await signInAndWaitForDashboard(elsewhere, name, "second-password-2");
  await expect(elsewhere.locator("html")).toHaveClass(/dark/);
  await screenshot(elsewhere, "settings-theme-follows-account");
  await elsewhere.context().close();
});
