// Keystrokes cross browser → portal proxy → agent → QEMU's VNC → the guest, and come back out of the
// guest's serial port; the serial console works the same way with xterm.js.
import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { createStudentWhoLaunches } from "./support/launch-group";
import { readRunState } from "./support/run-state";

async function launchRunningInstance(page: Page): Promise<{ id: string; name: string }> {
  const { adminUsername, adminPassword } = readRunState();
  const student = uniqueName("viewer");
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // A student launches from their class's catalogue.
  await createStudentWhoLaunches(page.request, {
    username: student,
    displayName: "Viewer",
    password: "viewer-password-1",
    role: "user",
  });
  await signOut(page);
  await signInAndWaitForDashboard(page, student, "viewer-password-1");
  await page.goto("/instances");
  await page.getByRole("button", { name: "Launch instance" }).click();
  const dialog = page.getByRole("dialog");
  const name = uniqueName("console");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Image").selectOption({ label: "eduCloud test guest" });
  await dialog.getByLabel("Flavor").selectOption({ index: 1 });
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  const row = page.getByTestId("instance-row").filter({ hasText: name });
  await expect(row.getByTestId("instance-state")).toHaveText("Running", { timeout: 120_000 });
  const href = await row.getByRole("link", { name }).getAttribute("href");
  return { id: href!.split("/").pop()!, name };
}

// US layout: what a person's fingers do for characters that need Shift. (Playwright's type() sends
// "S" without a Shift press, and QEMU turns keysyms into unshifted scancodes: a real keyboard never does.)
const SHIFTED: Record<string, string> = {
  ">": "Period",
  "<": "Comma",
  "|": "Backslash",
  ":": "Semicolon",
  _: "Minus",
};
async function typeLikeAPerson(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const code = /[A-Z]/.test(ch) ? `Key${ch}` : SHIFTED[ch];
    if (code) await page.keyboard.press(`Shift+${code}`);
    else await page.keyboard.type(ch);
    await page.waitForTimeout(15);
  }
}

/** What the page's Content-Security-Policy blocked (noVNC and xterm.js must work under it). */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

async function serialLogOf(id: string): Promise<string> {
  const dir = readRunState().agentStateDir!;
  return readFile(join(dir, "vms", id, "serial.log"), "utf8").catch(() => "");
}

async function waitForSerial(id: string, text: string, timeoutMs: number): Promise<void> {
  await expect
    .poll(async () => (await serialLogOf(id)).includes(text), { timeout: timeoutMs, intervals: [500] })
    .toBe(true);
}

test("graphical console: the guest's screen shows, and typed keys reach the guest", async ({ page }) => {
  test.setTimeout(240_000);
  test.skip(!readRunState().agentStateDir, "needs the e2e agent's state directory");
  const { id, name } = await launchRunningInstance(page);
  // Running is QEMU started; the banner follows once the guest booted (slower under TCG on a busy host).
  await waitForSerial(id, "EDUCLOUD-TEST-GUEST READY", 150_000);
  const blocked = cspViolations(page);

  await page.goto(`/instances/${id}`);
  await page.getByRole("link", { name: "Console", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Console — ${name}` })).toBeVisible();
  await expect(page.getByTestId("console-state")).toHaveText(/Connected/, { timeout: 30_000 });
  const canvas = page.getByTestId("vnc-screen").locator("canvas");
  await expect(canvas).toBeVisible();
  // Not blank: the guest's text console has drawn something other than black.
  await expect
    .poll(
      async () =>
        canvas.evaluate((c: HTMLCanvasElement) => {
          const ctx = c.getContext("2d");
          if (!ctx || !c.width || !c.height) return 0;
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let lit = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 60) lit++;
          return lit;
        }),
      { timeout: 30_000 },
    )
    .toBeGreaterThan(200);
  await screenshot(page, "console-01-graphical");

  const marker = `CONSOLE-OK-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  await canvas.click();
  await typeLikeAPerson(page, `echo ${marker} > /dev/ttyS0`);
  await page.keyboard.press("Enter");
  await waitForSerial(id, marker, 30_000);
  await screenshot(page, "console-02-typed");
  expect(blocked).toEqual([]);

  // Who is watching: another tab's instance list shows this open console, counted by QEMU itself.
  const other = await page.context().newPage();
  await other.goto("/instances");
  const row = other.getByTestId("instance-row").filter({ hasText: name });
  await expect(row.getByTestId("viewers")).toHaveText("1 watching", { timeout: 30_000 });
  await screenshot(other, "console-04-watching");
  await other.close();
});

test("serial console: typed commands run in the guest and their output shows in the terminal", async ({
  page,
}) => {
  test.setTimeout(240_000);
  test.skip(!readRunState().agentStateDir, "needs the e2e agent's state directory");
  const { id } = await launchRunningInstance(page);
  // Running is QEMU started; the banner follows once the guest booted (slower under TCG on a busy host).
  await waitForSerial(id, "EDUCLOUD-TEST-GUEST READY", 150_000);
  const blocked = cspViolations(page);

  const res = await page.goto(`/instances/${id}/console`);
  // The console page may not be framed by anyone (a guest's page on the portal's address included).
  expect(res!.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await page.getByRole("button", { name: "Serial" }).click();
  await expect(page.getByTestId("console-state")).toHaveText(/Connected/, { timeout: 30_000 });
  const term = page.getByTestId("serial-terminal");
  await term.click();
  const marker = `SERIAL-OK-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  await page.keyboard.type(`echo ${marker}`, { delay: 20 });
  await page.keyboard.press("Enter");
  await expect(term).toContainText(marker, { timeout: 20_000 });
  await screenshot(page, "console-03-serial");
  expect(blocked).toEqual([]);
});
