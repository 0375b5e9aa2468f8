// Terminals end to end (issue 14, "Terminals (F6)"): a lab PC booting as a thin client, acted by the real
// boot script (scripts/terminal-boot.sh, with the browser replaced by `echo`, which prints the kiosk
// link), against the real stack (portal, local agent, QEMU with the test guest). The script enrols and
// waits; the admin approves the terminal in the UI and assigns it to a lab with a pool of one desktop;
// the script then gets its config and the one-time kiosk link; the kiosk page shows the lab's sign-in;
// a student signs in and sees their desktop's screen full page; the admin's list shows the terminal
// online with that student; signing out at the kiosk releases the desktop and shows the sign-in again.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Locator } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { DEMO_IMAGE } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc, tryTrpc } from "./support/trpc";

const FLAVOR = "m1.tiny";

/** Lit pixels of the noVNC canvas (the guest's text console: light text on black). */
const litPixels = (canvas: Locator) =>
  canvas
    .evaluate((el: HTMLCanvasElement) => {
      const ctx = el.getContext("2d");
      if (!ctx || !el.width) return -1;
      const { data } = ctx.getImageData(0, 0, el.width, el.height);
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 200) lit++;
      return lit;
    })
    .catch(() => -1);

test.use({ actionTimeout: 60_000 });

test("terminals: the boot script enrols, the admin approves into a lab, a student's desktop full page at the kiosk", async ({
  page,
  browser,
}) => {
  // One TCG guest booting on 2 cores takes a minute or two; each wait below is bounded on its own.
  test.setTimeout(600_000);
  const { baseURL, adminUsername, adminPassword } = readRunState();
  const student = uniqueName("student");
  const studentPassword = `${student}-pw-1`;
  const labName = uniqueName("Room 101");
  const stateDir = mkdtempSync(join(tmpdir(), "educloud-terminal-"));
  const mac = `02:e2:e0:${[0, 0, 0]
    .map(() =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, "0"),
    )
    .join(":")}`;
  let terminalId: string | null = null;
  const boot = { out: "", err: "", exit: null as number | null };
  let script: ChildProcess | null = null;

  // ---- Set-up the story does not tell: a class with a student, a profile of the test guest, a lab of
  // two seats using it, and its pool of one desktop kept ready (started now: the guest boots meanwhile).
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: uniqueName("7a"), kind: "class" },
    "mutation",
  );
  await callTrpc(
    page.request,
    "users.create",
    {
      username: student,
      displayName: "Zhang Wei",
      email: `${student}@school.example`,
      password: studentPassword,
      role: "user",
      groupIds: [group.id],
    },
    "mutation",
  );
  await callTrpc(
    page.request,
    "quotas.setGroupLimits",
    { groupId: group.id, limits: { instances: 3 } },
    "mutation",
  );
  const { items: images } = await callTrpc<{ items: { id: string; name: string }[] }>(
    page.request,
    "images.list",
    { search: DEMO_IMAGE, limit: 500 },
    "query",
  );
  const flavors = await callTrpc<{ id: number; name: string }[]>(
    page.request,
    "flavors.list",
    undefined,
    "query",
  );
  const profile = await callTrpc<{ id: number }>(
    page.request,
    "profiles.create",
    {
      name: uniqueName("Thin client desktop"),
      groupId: group.id,
      imageId: images.find((i) => i.name === DEMO_IMAGE)!.id,
      flavorId: flavors.find((f) => f.name === FLAVOR)!.id,
    },
    "mutation",
  );
  const lab = await callTrpc<{ id: number }>(
    page.request,
    "labs.create",
    { name: labName, groupId: group.id, seats: 2, profileIds: [profile.id] },
    "mutation",
  );
  const labId = lab.id;
  const pool = await callTrpc<{ id: number }>(
    page.request,
    "pools.create",
    { labId, profileId: profile.id, size: 1, spare: 1 },
    "mutation",
  );
  await callTrpc(page.request, "pools.start", { id: pool.id }, "mutation");

  try {
    // ---- 1. The PC boots: the script enrols (once) and waits for approval, polling its config. ----
    const running = spawn("sh", ["scripts/terminal-boot.sh"], {
      env: { ...process.env, PORTAL: baseURL, STATE_DIR: stateDir, MAC: mac, BROWSER: "echo", POLL: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    script = running;
    running.stdout.on("data", (d: Buffer) => (boot.out += d.toString()));
    running.stderr.on("data", (d: Buffer) => (boot.err += d.toString()));
    const exited = new Promise<number>((resolve) =>
      running.on("exit", (code) => resolve((boot.exit = code ?? -1))),
    );
    await expect.poll(() => existsSync(join(stateDir, "secret")), { timeout: 30_000 }).toBe(true);
    terminalId = readFileSync(join(stateDir, "id"), "utf8").trim();
    expect(terminalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(stateDir, "secret"), "utf8").trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const code = terminalId.slice(0, 8);
    await expect.poll(() => boot.out, { timeout: 10_000 }).toContain(`code ${code}`);
    // While pending, its signed config fetches are refused with the reason (the script prints it).
    await expect.poll(() => boot.err, { timeout: 20_000 }).toContain("waits for an administrator's approval");
    expect(boot.exit).toBeNull();

    // ---- 2. The admin approves it in the UI (comparing the code) and assigns the lab. ----
    await page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Terminals" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Terminals" })).toBeVisible();
    const row = page.locator(`[data-terminal-id="${terminalId}"]`);
    await expect(row).toContainText("Pending");
    await expect(row).toContainText(mac);
    await expect(row.getByTestId("terminal-code")).toHaveText(code);
    await screenshot(page, "terminals-01-pending");
    await row.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(code);
    await dialog.getByLabel("Name").fill("Room 101 seat 1");
    await dialog.getByLabel("Lab").selectOption({ label: labName });
    await dialog.getByRole("button", { name: "Approve" }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText("Approved");
    await expect(row).toContainText(labName);

    // ---- 3. The script's next fetch gets the config and starts the "browser" on the kiosk link. ----
    expect(await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-2), 30_000))])).toBe(0);
    const kioskUrl = boot.out.trim().split("\n").at(-1)!;
    expect(kioskUrl).toMatch(new RegExp(`^${baseURL}/api/v1/kiosk/start\\?token=[A-Za-z0-9_-]{43}$`));

    // ---- 4. The kiosk page: the lab's sign-in. ----
    const kiosk = await (
      await browser.newContext({ baseURL, viewport: { width: 1024, height: 768 } })
    ).newPage();
    await kiosk.goto(kioskUrl);
    await expect(kiosk).toHaveURL(/\/kiosk$/);
    await expect(kiosk.getByRole("heading", { name: labName })).toBeVisible();
    await expect(kiosk.getByText("Terminal Room 101 seat 1")).toBeVisible();
    await screenshot(kiosk, "terminals-02-kiosk-sign-in");
    // The link was single-use: opening it again gives no kiosk.
    const again = await (await browser.newContext({ baseURL })).newPage();
    await again.goto(kioskUrl);
    await expect(again.getByTestId("kiosk-fatal")).toContainText("already used or has expired");
    await again.context().close();

    // ---- 5. The student signs in and sees their desktop's screen, full page. ----
    await kiosk.getByLabel("Username").fill(student);
    await kiosk.getByLabel("Password").fill(studentPassword);
    await kiosk.getByRole("button", { name: "Sign in" }).click();
    const screen = kiosk.getByTestId("kiosk-screen");
    await expect(screen).toHaveAttribute("data-phase", "connected", { timeout: 300_000 });
    const canvas = screen.locator("canvas");
    // The guest's console has text on it (its boot messages and login prompt), not a blank canvas.
    await expect.poll(() => litPixels(canvas), { timeout: 60_000, intervals: [1000] }).toBeGreaterThan(200);
    const box = (await screen.boundingBox())!;
    expect(box.width).toBe(1024);
    expect(box.height).toBe(768);
    await expect(kiosk.getByText("Signed in as Zhang Wei")).toBeVisible();
    await kiosk.screenshot({ path: "e2e/.artifacts/screenshots/terminals-03-kiosk-desktop.png" });

    // ---- 6. The admin's list: online, in the lab, the desktop it shows and who is signed in. ----
    await page.reload();
    await expect(row).toContainText("Online");
    await expect(row.getByTestId("terminal-user")).toHaveText(student);
    await expect(row.getByTestId("terminal-desktop")).toContainText(`${labName.slice(0, 40)}-${pool.id}-`);
    await screenshot(page, "terminals-04-admin-list");

    // ---- 7. Sign-out at the kiosk releases the desktop and shows the sign-in again. ----
    await kiosk.getByRole("button", { name: "Sign out" }).click();
    await expect(kiosk.getByRole("heading", { name: "Sign in to use this PC" })).toBeVisible();
    await page.reload();
    await expect(row.getByTestId("terminal-user")).toHaveText("—");
    await kiosk.context().close();
  } finally {
    // A script still polling (the test failed before approval) is ours to end.
    if (boot.exit === null) script?.kill();
    rmSync(stateDir, { recursive: true, force: true });
    if (terminalId) await tryTrpc(page.request, "terminals.delete", { id: terminalId }, "mutation");
    // Stop and remove the pool (its desktop goes with it), whatever happened above.
    const pools = await tryTrpc<{ id: number }[]>(page.request, "pools.list", { labId }, "query");
    for (const p of pools ?? []) {
      await tryTrpc(page.request, "pools.stop", { id: p.id }, "mutation");
      await tryTrpc(page.request, "pools.delete", { id: p.id }, "mutation");
    }
  }
});
