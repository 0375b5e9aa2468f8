// What the built portal sends and ends: security headers on pages and the API, the browser's device
// token at sign-in, and sessions that stop working on the server (a copied cookie after sign-out, every
// session after "Sign out everywhere").
import { expect, test, type APIResponse, type Browser, type Response } from "@playwright/test";
import { signIn, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";

function expectSecurityHeaders(res: Response | APIResponse | null): void {
  const h = res!.headers();
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).toContain("object-src 'none'");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
}

const meStatus = async (request: { get: (url: string) => Promise<APIResponse> }) =>
  (await request.get("/api/trpc/account.me")).status();

async function newUser(browser: Browser): Promise<{ name: string; password: string }> {
  const { adminUsername, adminPassword, baseURL } = readRunState();
  const admin = await (await browser.newContext({ baseURL })).newPage();
  await signInAndWaitForDashboard(admin, adminUsername, adminPassword);
  const name = uniqueName("sessions");
  const password = "sessions-password-1";
  const res = await admin.request.post("/api/trpc/users.create", {
    data: { json: { username: name, displayName: "Sessions", password, role: "user", groupIds: [] } },
  });
  expect(res.ok()).toBe(true);
  await admin.context().close();
  return { name, password };
}

test("pages, the console page and the API carry the security headers", async ({ page }) => {
  expectSecurityHeaders(await page.goto("/login"));
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  expectSecurityHeaders(await page.goto("/settings"));
  // The console page's own route (for an instance that does not exist: the page still answers).
  expectSecurityHeaders(await page.goto("/instances/00000000-0000-4000-8000-000000000000/console"));
  expectSecurityHeaders(await page.request.get("/api/trpc/account.me"));
});

test("signing in gives the browser an HTTP-only device token", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const device = (await page.context().cookies()).find((c) => c.name === "educloud-device");
  expect(device?.httpOnly).toBe(true);
  expect(device?.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
});

test("after sign-out, a copy of the session cookie is refused", async ({ page, browser }) => {
  const { name, password } = await newUser(browser);
  await signInAndWaitForDashboard(page, name, password);
  const copy = await browser.newContext({ baseURL: readRunState().baseURL });
  await copy.addCookies(await page.context().cookies());
  expect(await meStatus(copy.request)).toBe(200);
  await signOut(page);
  expect(await meStatus(copy.request)).toBe(401);
  await copy.close();
});

test("Sign out everywhere ends this session and the others", async ({ page, browser }) => {
  const { name, password } = await newUser(browser);
  const elsewhere = await (await browser.newContext({ baseURL: readRunState().baseURL })).newPage();
  await signInAndWaitForDashboard(elsewhere, name, password);
  await signInAndWaitForDashboard(page, name, password);
  await page.goto("/settings");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login/);
  expect(await meStatus(elsewhere.request)).toBe(401);
  await elsewhere.reload();
  await expect(elsewhere).toHaveURL(/\/login/);
  await elsewhere.context().close();
});

test("a locked account name: an administrator can lift the lock, and the user's own browser is not held by it", async ({
  page,
  browser,
}) => {
  const state = readRunState();
  test.skip(
    !state.ownsPortal,
    "uses the e2e portal's low limit (3 failures); never lock an installed account",
  );
  const { name, password } = await newUser(browser);
  // The real user's browser signs in once: it is known for the account from now on.
  await signInAndWaitForDashboard(page, name, password);
  await signOut(page);

  const attacker = await (await browser.newContext({ baseURL: state.baseURL })).newPage();
  const lockOut = async () => {
    for (let i = 0; i < 3; i++) {
      await signIn(attacker, name, `guess-${i}-wrong`);
      await expect(attacker.getByTestId("form-error")).toHaveText("Wrong username or password.");
    }
    await signIn(attacker, name, password);
    await expect(attacker.getByTestId("form-error")).toContainText("Too many failed sign-in attempts");
  };

  // Someone guesses until the name is locked: a new browser is refused even with the right password...
  await lockOut();
  const fresh = await (await browser.newContext({ baseURL: state.baseURL })).newPage();
  await signIn(fresh, name, password);
  await expect(fresh.getByTestId("form-error")).toContainText("Too many failed sign-in attempts");
  // ...until an administrator lifts the lock.
  const admin = await (await browser.newContext({ baseURL: state.baseURL })).newPage();
  await signInAndWaitForDashboard(admin, state.adminUsername, state.adminPassword);
  await admin.goto("/admin/users");
  await admin.getByLabel("Search users").fill(name);
  await admin.getByRole("button", { name: `Clear the sign-in lock of ${name}` }).click();
  await expect(admin.getByText(`${name} may sign in again from any browser.`)).toBeVisible();
  await signInAndWaitForDashboard(fresh, name, password);

  // Locked again: the user's own browser still gets in.
  await lockOut();
  await signInAndWaitForDashboard(page, name, password);
  for (const p of [attacker, admin, fresh]) await p.context().close();
});
