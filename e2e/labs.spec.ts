// Labs and desktops end to end, as issue 13's "Must show" tells it, through the real UI on the real
// stack (portal, local agent, QEMU booting the test guest): a teacher creates a desktop profile and a
// lab of 10 seats, starts its pool and watches the classroom view fill with live thumbnails taken by the
// host; a student opens the lab, gets a running desktop and types into its console; the teacher sees
// that desktop's thumbnail change; the student releases it and it becomes spare again.
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { DEMO_IMAGE } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc, tryTrpc } from "./support/trpc";

const SEATS = 10;
const FLAVOR = "m1.tiny";

const freshPage = async (browser: Browser): Promise<Page> =>
  (await browser.newContext({ baseURL: readRunState().baseURL })).newPage();
const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main navigation" });

/**
 * How many pixels of the picture a thumbnail shows now are lit (text on the guest's black text console),
 * read from the loaded PNG itself at its own size; -1 while a new one is loading.
 */
const litPixels = (img: Locator) =>
  img
    .evaluate((el: HTMLImageElement) => {
      if (!el.complete || !el.naturalWidth) return -1;
      const c = document.createElement("canvas");
      c.width = el.naturalWidth;
      c.height = el.naturalHeight;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(el, 0, 0);
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 200) lit++;
      return lit;
    })
    .catch(() => -1);

/** Whether an <img> has loaded a picture (a refused or broken thumbnail has no natural size). */
const loaded = (img: Locator) =>
  img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0).catch(() => false);

// US layout, as console.spec.ts: characters needing Shift are pressed with it.
async function typeLikeAPerson(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    if (/[A-Z]/.test(ch)) await page.keyboard.press(`Shift+Key${ch}`);
    else await page.keyboard.type(ch);
    await page.waitForTimeout(15);
  }
}

// A stuck click fails within a minute instead of using up the whole (long) test timeout.
test.use({ actionTimeout: 60_000 });

test("labs: profile, lab of 10, pool, live classroom, a student's desktop, release back to spare", async ({
  page,
  browser,
}, testInfo) => {
  // Ten TCG guests booting on 2 cores take minutes; every wait below is bounded on its own.
  test.setTimeout(900_000);
  const { adminUsername, adminPassword } = readRunState();
  const className = uniqueName("lab-8b");
  const teacher = uniqueName("teacher");
  const student = uniqueName("student");
  const teacherPassword = `${teacher}-pw-1`;
  const studentPassword = `${student}-pw-1`;
  const profileName = uniqueName("Linux desktop");
  const labName = uniqueName("Room 204");
  let labId: number | null = null;
  let teacherPage: Page | null = null;
  let desktopId: string | null = null;

  // ---- Set-up the story does not tell (the superAdm's part): a class, its teacher and a student,
  // the class's catalogue (the test guest, m1.tiny) and room in its quota for the lab's desktops. ----
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: className, kind: "class" },
    "mutation",
  );
  const t = await callTrpc<{ id: number }>(
    page.request,
    "users.create",
    {
      username: teacher,
      displayName: "Mr Wang",
      email: `${teacher}@school.example`,
      password: teacherPassword,
      role: "powerAdm",
      groupIds: [group.id],
    },
    "mutation",
  );
  await callTrpc(
    page.request,
    "users.create",
    {
      username: student,
      displayName: "Lin Mei",
      email: `${student}@school.example`,
      password: studentPassword,
      role: "user",
      groupIds: [group.id],
    },
    "mutation",
  );
  await callTrpc(page.request, "groups.setAdmins", { id: group.id, userIds: [t.id] }, "mutation");
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
  await callTrpc(
    page.request,
    "classes.setCatalogue",
    {
      id: group.id,
      imageIds: [images.find((i) => i.name === DEMO_IMAGE)!.id],
      flavorIds: [flavors.find((f) => f.name === FLAVOR)!.id],
    },
    "mutation",
  );
  await callTrpc(
    page.request,
    "quotas.setGroupLimits",
    { groupId: group.id, limits: { instances: SEATS + 2 } },
    "mutation",
  );
  await signOut(page);

  try {
    // ---- 1. The teacher: a desktop profile. ----
    teacherPage = page;
    await signInAndWaitForDashboard(page, teacher, teacherPassword);
    await mainNav(page).getByRole("link", { name: "Desktop profiles" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Desktop profiles" })).toBeVisible();
    await page.getByRole("button", { name: "New profile" }).click();
    const pf = page.getByRole("dialog");
    await pf.getByLabel("Name").fill(profileName);
    await expect(pf.getByLabel("Group")).toHaveValue(String(group.id));
    await pf.getByLabel("Image").selectOption({ label: DEMO_IMAGE });
    const flavorValue = await pf
      .getByLabel("Flavor")
      .locator("option", { hasText: FLAVOR })
      .getAttribute("value");
    await pf.getByLabel("Flavor").selectOption(flavorValue!);
    await expect(pf.getByLabel("Snapshot mode (throw-away)")).toBeChecked();
    await screenshot(page, "labs-01-profile-dialog");
    await pf.getByRole("button", { name: "Create profile" }).click();
    await expect(page.getByRole("heading", { level: 1, name: profileName })).toBeVisible();
    await expect(page.getByTestId("version-row")).toHaveCount(1);
    await expect(page.getByTestId("version-row")).toContainText("current");
    await screenshot(page, "labs-02-profile");

    // ---- 2. A lab of 10 seats that uses it, and its pool: 10 desktops, all kept ready. ----
    await mainNav(page).getByRole("link", { name: "Labs" }).click();
    await page.getByRole("button", { name: "New lab" }).click();
    const lf = page.getByRole("dialog");
    await lf.getByLabel("Name").fill(labName);
    await lf.getByLabel("Seats").fill(String(SEATS));
    await lf.getByLabel(profileName).check();
    await lf.getByRole("button", { name: "Create lab" }).click();
    await expect(page.getByRole("heading", { level: 1, name: labName })).toBeVisible();
    labId = Number(page.url().split("/").pop());

    await page.getByRole("button", { name: "New pool" }).click();
    const pd = page.getByRole("dialog");
    await pd.getByLabel("Desktops", { exact: true }).fill(String(SEATS));
    await pd.getByLabel("Kept ready (spare)").fill(String(SEATS));
    await pd.getByRole("button", { name: "Create pool" }).click();
    await expect(pd).toBeHidden();
    const pool = page.getByTestId("pool-row").filter({ hasText: profileName });
    await expect(pool).toContainText("Stopped");
    await pool.getByRole("button", { name: "Start" }).click();
    await expect(pool).toContainText("Running");
    await screenshot(page, "labs-03-pool-started");

    // ---- 3. The classroom view fills with live thumbnails, without a reload. ----
    await page.getByRole("link", { name: "Classroom view" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Classroom — ${labName}` })).toBeVisible();
    const tiles = page.getByTestId("desktop-tile");
    await expect(tiles).toHaveCount(SEATS, { timeout: 300_000 });
    const thumbs = page.getByTestId("desktop-thumbnail");
    await expect(thumbs).toHaveCount(SEATS, { timeout: 600_000 });
    // Every one a real picture from its host (the route answers image/png only for a running desktop).
    await expect
      .poll(async () => (await Promise.all((await thumbs.all()).map(loaded))).filter(Boolean).length, {
        timeout: 120_000,
        intervals: [2000],
      })
      .toBe(SEATS);
    await expect(page.getByTestId("classroom-summary")).toContainText(`${SEATS} running`);
    await screenshot(page, "labs-04-classroom-full");

    // ---- 4. The student opens the lab and gets a running desktop at once; types into its console. ----
    const sp = await freshPage(browser);
    await signInAndWaitForDashboard(sp, student, studentPassword);
    await mainNav(sp).getByRole("link", { name: "My desktops" }).click();
    await expect(sp.getByRole("heading", { level: 1, name: "My desktops" })).toBeVisible();
    const openLab = sp.getByTestId("open-lab").filter({ hasText: labName });
    await expect(openLab).toContainText(`${SEATS} ready`);
    await screenshot(sp, "labs-05-my-desktops");
    await openLab.getByRole("button", { name: `Open ${labName}` }).click();
    await expect(sp).toHaveURL(/\/desktops\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    desktopId = sp.url().split("/").at(-1)!;
    await expect(sp.getByTestId("console-state")).toHaveText(/Connected/, { timeout: 60_000 });
    await expect(sp.getByTestId("desktop-bar")).toContainText(labName);

    // The teacher's tile for it now names the student.
    const tile = tiles.filter({ hasText: "Lin Mei" });
    await expect(tile).toHaveCount(1, { timeout: 30_000 });
    await expect(tile.getByTestId("desktop-thumbnail")).toBeVisible();
    const thumb = tile.getByTestId("desktop-thumbnail");
    await expect.poll(() => loaded(thumb), { timeout: 30_000 }).toBe(true);

    // The student clears the screen; the teacher's thumbnail follows: almost nothing lit (the prompt).
    const canvas = sp.getByTestId("vnc-screen").locator("canvas");
    await canvas.click();
    let cleared = -1;
    for (let attempt = 0; attempt < 5 && cleared < 0; attempt++) {
      await typeLikeAPerson(sp, "clear");
      await sp.keyboard.press("Enter");
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const lit = await litPixels(thumb);
        if (lit >= 0 && lit < 1500) {
          cleared = lit;
          break;
        }
        await page.waitForTimeout(1000);
      }
    }
    expect(cleared, "the thumbnail never showed the cleared screen").toBeGreaterThanOrEqual(0);
    await screenshot(page, "labs-06-classroom-cleared");

    // ---- 5. The student types; the teacher sees the thumbnail change (it refreshes by itself). ----
    const marker = `HELLO ${Math.random().toString(36).slice(2, 8).toUpperCase()} FROM SEAT SEVEN`;
    for (let i = 0; i < 4; i++) {
      await typeLikeAPerson(sp, `echo ${marker}`);
      await sp.keyboard.press("Enter");
    }
    await screenshot(sp, "labs-07-student-console");
    // Eight lines of text (four typed, four echoed) light thousands of pixels more than the prompt.
    await expect
      .poll(() => litPixels(thumb), { timeout: 60_000, intervals: [1000] })
      .toBeGreaterThan(cleared + 3000);
    await expect(tile).toContainText(/watching/, { timeout: 30_000 });
    await screenshot(page, "labs-08-classroom-changed");

    // A message from the teacher shows on the student's console page.
    await tile.getByRole("button", { name: "Message" }).click();
    const md = page.getByRole("dialog");
    await md.getByLabel("Message").fill("Save your work, we finish in 5 minutes.");
    await md.getByRole("button", { name: "Send" }).click();
    await expect(md).toBeHidden();
    await expect(sp.getByTestId("teacher-message")).toContainText("we finish in 5 minutes", {
      timeout: 20_000,
    });

    // ---- 6. The student releases it: it is reset and becomes spare again. ----
    await sp.getByRole("button", { name: "Release" }).click();
    await expect(sp).toHaveURL(/\/desktops$/);
    await expect(sp.getByTestId("my-desktop")).toHaveCount(0);
    await sp.context().close();

    const released = tiles.filter({ has: page.locator(`a[href="/instances/${desktopId!}/console"]`) });
    await expect(released.getByTestId("desktop-student")).toHaveText("Spare", { timeout: 30_000 });
    await expect(released.getByTestId("instance-state")).toHaveText("Running", { timeout: 180_000 });
    await expect(released.getByTestId("desktop-thumbnail")).toBeVisible({ timeout: 60_000 });
    await page.goto(`/labs/${labId}`);
    await expect(pool.getByTestId("pool-assigned")).toHaveText("0");
    await expect(pool.getByTestId("pool-spare")).toHaveText(String(SEATS), { timeout: 180_000 });
    await screenshot(page, "labs-09-spare-again");
  } catch (err) {
    // A failure after the hand-out: keep the student's desktop's timeline (which way it went: reset,
    // taken away, replaced) before the pool and its rows go.
    if (teacherPage && desktopId) {
      const events = await tryTrpc(teacherPage.request, "instances.events", { id: desktopId }, "query");
      const row = await tryTrpc(teacherPage.request, "instances.get", { id: desktopId }, "query");
      await testInfo.attach("student-desktop.json", {
        body: JSON.stringify({ row, events }, null, 2),
        contentType: "application/json",
      });
      console.log(`student desktop ${desktopId}:`, JSON.stringify({ row, events }));
    }
    throw err;
  } finally {
    // Stop and remove the pool (its desktops go with it), whatever happened above.
    if (teacherPage && labId !== null) {
      const pools = await tryTrpc<{ id: number }[]>(teacherPage.request, "pools.list", { labId }, "query");
      for (const p of pools ?? []) {
        await tryTrpc(teacherPage.request, "pools.stop", { id: p.id }, "mutation");
        await tryTrpc(teacherPage.request, "pools.delete", { id: p.id }, "mutation");
      }
    }
  }
});
