import { expect, type Page } from "@playwright/test";

/** Helpers named as what a person does. */
/** `origin` is for a second portal on another port; by default the configured baseURL. */
export async function signIn(page: Page, username: string, password: string, origin = ""): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInAndWaitForDashboard(
  page: Page,
  username: string,
  password: string,
  origin = "",
): Promise<void> {
  await signIn(page, username, password, origin);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  // Generous: while a class's 30 guests boot on two cores the portal answers slowly.
  await expect(page).toHaveURL(/\/login/, { timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  // From the top: a full-page shot of a scrolled page draws the sticky top bar in the middle.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `e2e/.artifacts/screenshots/${name}.png`, fullPage: true });
}

export const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
