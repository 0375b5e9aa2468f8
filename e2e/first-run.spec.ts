// The first thing a school's IT person does after `npm run setup && npm start`: sign in as the admin,
// create a student account, and check the student sees their own dashboard without admin items.
// .ci/run also runs this spec against the portal that the two README commands started.
import { expect, test } from "@playwright/test";
import { screenshot, signIn, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

const ADMIN_LINKS = ["Users", "Groups", "Audit log", "Health"];

test("superAdm creates a user; the user signs in and sees a dashboard without admin items", async ({
  page,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  const student = uniqueName("student");
  const studentPassword = `pw-${uniqueName("x")}-long`;

  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await screenshot(page, "first-run-01-login");

  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  for (const name of ADMIN_LINKS) await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  await screenshot(page, "first-run-02-admin-dashboard");

  await nav.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Username").fill(student);
  await dialog.getByLabel("Display name").fill("Ada Student");
  await dialog.getByLabel("Password").fill(studentPassword);
  await dialog.getByLabel("Role").selectOption("user");
  await screenshot(page, "first-run-03-new-user-form");
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByText(`User ${student} was created.`)).toBeVisible();
  await expect(page.getByRole("cell", { name: student, exact: true })).toBeVisible();
  await screenshot(page, "first-run-04-user-created");

  await signOut(page);
  await signInAndWaitForDashboard(page, student, studentPassword);
  await expect(page.getByText("Welcome, Ada Student")).toBeVisible();
  await expect(page.getByText("No machines yet")).toBeVisible();
  const studentNav = page.getByRole("navigation", { name: "Main navigation" });
  await expect(studentNav.getByRole("link", { name: "Dashboard", exact: true })).toBeVisible();
  for (const name of ADMIN_LINKS)
    await expect(studentNav.getByRole("link", { name, exact: true })).toHaveCount(0);
  await screenshot(page, "first-run-05-user-dashboard");

  // Typing the address is no way around the navigation.
  await page.goto("/admin/users");
  await expect(page.getByText("Not allowed").first()).toBeVisible();
  await expect(page.getByRole("cell", { name: adminUsername, exact: true })).toHaveCount(0);
  await screenshot(page, "first-run-06-user-forbidden");
});

test("signing out ends the session: the dashboard asks to sign in again", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  await signOut(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, adminUsername, adminPassword);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
});

test("signing out works even before the page's scripts have loaded", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // A click that lands before hydration (slow network, busy machine) must still sign out.
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await signOut(page);
  await page.unroute("**/_next/static/**/*.js");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
