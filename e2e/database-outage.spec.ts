// The database stops under a running portal: health says so, the API answers 503 with a clear message,
// the pages show a notice instead of crashing, and everything recovers when the database returns.
import { expect, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { CuttableProxy } from "../server/testing/tcp-proxy";
import { screenshot, signInAndWaitForDashboard } from "./support/actions";
import { startPortal, stopPortal } from "./support/portal-process";
import { readRunState } from "./support/run-state";

const PORT = 3211;
const BASE = `http://127.0.0.1:${PORT}`;
let proxy: CuttableProxy;
let portal: ChildProcess | undefined;

test.describe("database outage", () => {
  test.beforeAll(async () => {
    const state = readRunState();
    test.skip(!state.ownsPortal, "needs a portal of its own; the installed one is never taken down");
    const db = new URL(state.portalEnv.DATABASE_URL!);
    proxy = new CuttableProxy(db.hostname, Number(db.port || 3306));
    db.port = String(await proxy.start());
    portal = await startPortal({
      port: PORT,
      env: { ...state.portalEnv, DATABASE_URL: db.toString(), NEXTAUTH_URL: BASE },
      logFile: "e2e/.artifacts/portal-outage.log",
    });
  });

  test.afterAll(async () => {
    stopPortal(portal);
    await proxy?.cut();
  });

  test("health, API and pages while MariaDB is unreachable, then recovery", async ({ page, request }) => {
    const { adminUsername, adminPassword } = readRunState();
    await signInAndWaitForDashboard(page, adminUsername, adminPassword, BASE);
    await page.goto(`${BASE}/admin/health`);
    await expect(page.getByRole("heading", { name: "Health" })).toBeVisible();

    await proxy.cut();

    const health = await request.get(`${BASE}/api/v1/health`);
    expect(health.status()).toBe(503);
    const body = await health.json();
    expect(body.services.database).toBe("down");
    expect(body.message).toMatch(/database is unavailable/i);

    // A tRPC call with the admin's session cookie.
    const api = await page.request.get(
      `${BASE}/api/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
    );
    expect(api.status()).toBe(503);
    expect(JSON.stringify(await api.json())).toMatch(/database is unavailable/i);

    // The open health page shows the outage on its next poll, without crashing.
    await expect(page.getByText(/database is unavailable/i).first()).toBeVisible({ timeout: 20_000 });
    // …and still says which service is down, from the public liveness check.
    const live = page.getByTestId("health-live");
    await expect(live).toContainText("Down: the database is not reachable", { timeout: 15_000 });
    await expect(live.getByRole("listitem").filter({ hasText: "Database" })).toContainText("Down");
    await expect(live.getByRole("listitem").filter({ hasText: "Redis" })).toContainText("Up");
    await screenshot(page, "outage-health-page");
    // A fresh page load shows a notice, not a stack trace.
    await page.goto(`${BASE}/admin/users`);
    await expect(page.getByText(/database is unavailable/i).first()).toBeVisible();
    await expect(page.getByText(/ECONNREFUSED|at .*\.js:\d+/)).toHaveCount(0);
    await screenshot(page, "outage-users-page");
    expect(portal!.exitCode).toBeNull();

    await proxy.restore();

    await expect
      .poll(async () => (await request.get(`${BASE}/api/v1/health`)).status(), { timeout: 20_000 })
      .toBe(200);
    await page.goto(`${BASE}/admin/health`);
    await expect(page.getByRole("heading", { name: "Health" })).toBeVisible();
    await expect(page.getByText(/database is unavailable/i)).toHaveCount(0, { timeout: 15_000 });
    await page.goto(`${BASE}/admin/users`);
    await expect(page.getByRole("cell", { name: adminUsername, exact: true })).toBeVisible();
    await screenshot(page, "outage-recovered");
  });
});
