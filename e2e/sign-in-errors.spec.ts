// Wrong credentials get one generic answer; repeated failures lock the account name with a clear
// message; empty fields get field errors before anything is sent.
import { expect, test } from "@playwright/test";
import { screenshot, signIn, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

test("empty fields are named before anything is sent", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your username.")).toBeVisible();
  await expect(page.getByText("Enter your password.")).toBeVisible();
  await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "sign-in-empty-fields");
});

test("a wrong password and an unknown account get the same message", async ({ page }) => {
  const { adminUsername } = readRunState();
  await signIn(page, adminUsername, "definitely-not-the-password");
  const error = page.getByTestId("form-error");
  await expect(error).toHaveText("Wrong username or password.");
  await signIn(page, uniqueName("nobody"), "whatever-password");
  await expect(error).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("failures are counted: the account name is locked with a clear message, even for the right password", async ({
  page,
}) => {
  const state = readRunState();
  test.skip(
    !state.ownsPortal,
    "uses the e2e portal's low limit (3 failures); never lock the installed admin",
  );
  // A fresh account of our own, so other specs' admin sign-ins are not locked.
  const name = uniqueName("locked");
  await signIn(page, state.adminUsername, state.adminPassword);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const created = await page.request.post("/api/trpc/users.create", {
    data: {
      json: {
        username: name,
        displayName: "Locked",
        password: "right-password-1",
        role: "user",
        groupIds: [],
      },
    },
  });
  expect(created.ok()).toBe(true);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  for (let i = 0; i < 3; i++) {
    await signIn(page, name, "wrong-password");
    await expect(page.getByTestId("form-error")).toHaveText("Wrong username or password.");
  }
  await signIn(page, name, "right-password-1");
  await expect(page.getByTestId("form-error")).toContainText("Too many failed sign-in attempts. Wait");
  await expect(page).toHaveURL(/\/login/);
  await screenshot(page, "sign-in-rate-limited");
});
