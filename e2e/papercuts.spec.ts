// What a new user ran into, each checked where it happened: buttons a role cannot use, refusals that
// offered "Try again", field errors out of view or silently cut input, long names pushing actions off a
// table, a "being created" message that outlived the creation, and underscores lost in the serial console.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { giveLaunchGroup } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc as trpc } from "./support/trpc";

async function createUser(page: Page, role: "user" | "powerUser" | "powerAdm", groupIds: number[] = []) {
  const { adminUsername, adminPassword } = readRunState();
  const username = uniqueName(role.toLowerCase());
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const user = await trpc<{ id: number }>(
    page.request,
    "users.create",
    { username, displayName: `A ${role}`, password: "papercut-password-1", role, groupIds },
    "mutation",
  );
  // Launching takes a group with a catalogue (a student launches from their class's).
  if (groupIds.length === 0) await giveLaunchGroup(page.request, [user.id]);
  await signOut(page);
  await signInAndWaitForDashboard(page, username, "papercut-password-1");
  return username;
}

test("a powerUser sees no Edit, Delete or New version on a public image they do not own", async ({
  page,
}) => {
  await createUser(page, "powerUser");
  await page.goto("/admin/images");
  const row = page.getByTestId("image-row").filter({ hasText: "eduCloud test guest" });
  await expect(row).toBeVisible();
  await expect(row.getByRole("button", { name: "Download" })).toBeVisible();
  for (const name of ["Edit", "Delete", "New version"])
    await expect(row.getByRole("button", { name, exact: true })).toHaveCount(0);
  // They may still upload (private images): the button is there.
  await expect(page.getByRole("button", { name: "Upload image" })).toBeVisible();
  await screenshot(page, "papercuts-01-images-power-user");
});

test("a user who opens an admin page is told which role it needs, and offered no 'Try again'", async ({
  page,
}) => {
  await createUser(page, "user");
  await page.goto("/admin/users");
  const panel = page.getByTestId("forbidden");
  await expect(panel.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(panel).toContainText("Power admin");
  await expect(panel).toContainText("User");
  await expect(page.getByRole("button", { name: "Try again" })).toHaveCount(0);
  await screenshot(page, "papercuts-02-forbidden-en");

  // The same in Chinese: the role names are the ones the rest of the UI uses.
  await page.getByLabel("Language", { exact: true }).selectOption("zh-CN");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(panel).toContainText("管理员");
  await screenshot(page, "papercuts-02-forbidden-zh");

  // A page they may use but whose main action needs more: it says which role, in their language.
  await page.goto("/admin/images");
  await expect(page.getByTestId("read-only-note")).toContainText("高级用户");
  await screenshot(page, "papercuts-02-images-read-only-zh");
});

test("a powerAdm on the groups page is told that changing groups needs a super admin", async ({ page }) => {
  await createUser(page, "powerAdm");
  await page.goto("/admin/groups");
  await expect(page.getByTestId("read-only-note")).toContainText("Super admin");
  await expect(page.getByRole("button", { name: "New group" })).toHaveCount(0);
});

test("an instance with a long name: actions stay on screen, the launch message ends with the creation, snapshot names are refused beside the field, underscores show in the serial console", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await createUser(page, "powerUser");
  // The longest name allowed, with no space to break at.
  const name = `long-${"x".repeat(50)}-${Math.random().toString(36).slice(2, 10)}`.slice(0, 64);

  await page.goto("/instances");
  await page.getByRole("button", { name: "Launch instance" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Image").selectOption({ label: "eduCloud test guest" });
  await dialog.getByLabel("Flavor").selectOption({ index: 1 });
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  const flash = page.getByTestId("flash");
  await expect(flash).toContainText("is being created");

  const row = page.getByTestId("instance-row").filter({ hasText: name.slice(0, 12) });
  await expect(row.getByTestId("instance-state")).toHaveText("Running", { timeout: 150_000 });
  // Once it runs, "is being created" is no longer true, so it is no longer said.
  await expect(flash).toHaveCount(0);

  // The full name is on hover; every action of the row is in view, the last one (Delete) included,
  // without scrolling the table sideways.
  await expect(row.locator(`[title="${name}"]`)).toBeVisible();
  const table = await page.locator("table").first().locator("..").boundingBox();
  const last = await row.getByRole("button", { name: "Delete" }).boundingBox();
  expect(last, "the Delete button is laid out").not.toBeNull();
  expect(last!.x + last!.width).toBeLessThanOrEqual(table!.x + table!.width);
  await screenshot(page, "papercuts-03-long-name-list");

  // Snapshot names: what is wrong is said beside the field, with what is allowed; nothing is cut.
  const href = await row.getByRole("link").first().getAttribute("href");
  await page.goto(href!);
  const snapshots = page.getByTestId("snapshots-panel");
  const input = snapshots.getByPlaceholder("Snapshot name");
  await input.fill("bad/name");
  await snapshots.getByRole("button", { name: "Take snapshot" }).click();
  await expect(snapshots).toContainText("Letters, digits, space, dot, dash, colon and underscore");
  await expect(page.getByText("Some fields are not valid.")).toHaveCount(0);
  const long = "a".repeat(1000);
  await input.fill(long);
  await expect(input).toHaveValue(long);
  await snapshots.getByRole("button", { name: "Take snapshot" }).click();
  await expect(snapshots).toContainText("At most 64 characters.");
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "papercuts-04-snapshot-name");

  // Serial console: each row is tall enough for an underscore's whole glyph.
  await page.goto(`${href}/console`);
  await page.getByRole("button", { name: "Serial" }).click();
  await expect(page.getByTestId("console-state")).toHaveText(/Connected/, { timeout: 30_000 });
  const term = page.getByTestId("serial-terminal");
  await expect(term.locator(".xterm-rows > div").first()).toBeAttached();
  const fit = await term.evaluate((el) => {
    const row = el.querySelector(".xterm-rows > div") as HTMLElement;
    const style = getComputedStyle(row);
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.font = `${style.fontSize} ${style.fontFamily}`;
    const m = ctx.measureText("_");
    const rowHeight = row.getBoundingClientRect().height;
    const lineBox = m.fontBoundingBoxAscent + m.fontBoundingBoxDescent;
    // CSS centres the font's line box in the row; the underscore hangs below the baseline.
    const baseline = (rowHeight - lineBox) / 2 + m.fontBoundingBoxAscent;
    return { rowHeight, underscoreBottom: baseline + m.actualBoundingBoxDescent };
  });
  expect(fit.underscoreBottom, `row ${fit.rowHeight}px`).toBeLessThanOrEqual(fit.rowHeight);
  // And one to look at: the guest echoes underscores back once it has booted.
  const { agentStateDir } = readRunState();
  test.skip(!agentStateDir, "needs the e2e agent's state directory to know when the guest is up");
  const id = href!.split("/").pop()!;
  await expect
    .poll(() => readFile(join(agentStateDir!, "vms", id, "serial.log"), "utf8").catch(() => ""), {
      timeout: 120_000,
      intervals: [500],
    })
    .toContain("EDUCLOUD-TEST-GUEST READY");
  await term.click();
  await page.keyboard.type("echo a", { delay: 20 });
  await page.keyboard.press("Shift+Minus");
  await page.keyboard.type("b", { delay: 20 });
  await page.keyboard.press("Shift+Minus");
  await page.keyboard.type("c", { delay: 20 });
  await page.keyboard.press("Enter");
  await expect(term).toContainText("a_b_c", { timeout: 20_000 });
  await term.screenshot({ path: "e2e/.artifacts/screenshots/papercuts-05-serial-underscores.png" });
});
