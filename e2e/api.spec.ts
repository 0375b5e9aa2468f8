// The REST API through the real portal: the OpenAPI document is public and whole, every documented path
// reaches the REST handler through Next's routing (no route folder shadows one), a signed-in browser reads
// the API with its session, and the reference page renders the document from the portal itself.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard } from "./support/actions";
import { readRunState } from "./support/run-state";

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { "x-educloud-procedure"?: string }>>;
}

test("every REST path reaches the API handler, and anonymous callers get its 401", async ({ request }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as Doc;
  expect(doc.openapi).toBe("3.1.0");
  const misrouted: string[] = [];
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op["x-educloud-procedure"]) continue; // uploads, downloads: their own handlers and matrix
      const url = `/api/v1${path.replace(/\{\w+\}/g, "1")}`;
      const answer = await request.fetch(url, {
        method: method.toUpperCase(),
        ...(method === "get" || method === "delete" ? {} : { data: {} }),
      });
      const body = (await answer.json().catch(() => null)) as { error?: string } | null;
      if (answer.status() !== 401 || body?.error !== "UNAUTHORIZED")
        misrouted.push(`${method.toUpperCase()} ${url} → ${answer.status()}`);
      checked++;
    }
  }
  expect(misrouted).toEqual([]);
  expect(checked).toBeGreaterThan(100);
});

test("a signed-in browser reads the API, and the reference page shows it", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // Only the package's own files are served there, never a name that merely exists on an object.
  for (const name of ["constructor", "toString", "..%2Fpackage.json"])
    expect((await page.request.get(`/api/v1/docs/${name}`)).status(), name).toBe(404);
  const images = await page.request.get("/api/v1/images");
  expect(images.status()).toBe(200);
  const me = await page.request.get("/api/v1/account");
  expect(((await me.json()) as { username: string }).username).toBe(adminUsername);

  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto("/api/v1/docs");
  await expect(page.getByRole("heading", { name: /eduCloud API/ })).toBeVisible({ timeout: 30_000 });
  await page.locator("#operations-tag-Instances").click();
  const list = page.locator("#operations-Instances-instancesList");
  await list.locator(".opblock-summary").first().click();
  await expect(list.getByText("Who may call: user and above")).toBeVisible();
  await screenshot(page, "api-reference");
  expect(errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
});
