// A class end to end: the superAdm makes a teacher the admin of a class; the teacher sets its catalogue,
// creates one machine per student in one action and watches them come up on the class page, opens a
// student's console, and removes the machines again; a student sees only their own machine. Then the
// class page in 简体中文. Real agent and QEMU behind the page.
import { expect, test, type Page } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { DEMO_IMAGE } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc } from "./support/trpc";

async function createAccount(page: Page, username: string, role: "user" | "powerAdm"): Promise<number> {
  const user = await callTrpc<{ id: number }>(
    page.request,
    "users.create",
    { username, displayName: username.replace(/-.*/, ""), password: `${username}-pw-1`, role, groupIds: [] },
    "mutation",
  );
  return user.id;
}

test("a teacher runs a class: catalogue, one machine per student, console, removal; a student sees only theirs", async ({
  page,
}) => {
  test.setTimeout(420_000);
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const teacher = uniqueName("teacher");
  const students = [uniqueName("ann"), uniqueName("bob")];
  await createAccount(page, teacher, "powerAdm");
  const studentIds: number[] = [];
  for (const s of students) studentIds.push(await createAccount(page, s, "user"));
  const className = uniqueName("e2e-class-7b");
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: className, description: "Networks, year 7", kind: "class" },
    "mutation",
  );
  await callTrpc(page.request, "groups.setMembers", { id: group.id, userIds: studentIds }, "mutation");

  // The superAdm makes the teacher its admin on the Groups page.
  await page.goto("/admin/groups");
  const groupRow = page.getByRole("row").filter({ hasText: className });
  await groupRow.getByRole("button", { name: `Teachers of ${className}` }).click();
  const admins = page.getByRole("dialog");
  await admins.getByLabel(teacher).check();
  await admins.getByRole("button", { name: "Save teachers" }).click();
  await expect(admins).toBeHidden();
  await expect(groupRow.getByTestId("group-admins")).toHaveText(teacher);
  await screenshot(page, "classes-01-groups-admins");
  await signOut(page);

  // The teacher finds the class under Classes.
  await signInAndWaitForDashboard(page, teacher, `${teacher}-pw-1`);
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: "Classes", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "Classes" })).toBeVisible();
  await screenshot(page, "classes-02-list");
  await page.getByRole("link", { name: className }).click();
  await expect(page.getByRole("heading", { level: 1, name: className })).toBeVisible();
  await expect(page.getByTestId("member-row")).toHaveCount(3);

  // A flavor of the class's own (public ones are the superAdm's): in its catalogue without being listed.
  await page.goto("/admin/flavors");
  await page.getByRole("button", { name: "New flavor" }).click();
  const flavorForm = page.getByRole("dialog");
  await expect(flavorForm.getByLabel("For")).toHaveText(className);
  const ownFlavor = uniqueName("lab");
  await flavorForm.getByLabel("Name").fill(ownFlavor);
  await flavorForm.getByLabel("vCPUs").fill("1");
  await flavorForm.getByLabel("RAM (MiB)").fill("256");
  await flavorForm.getByLabel("Disk (GiB)").fill("1");
  await flavorForm.getByRole("button", { name: "Create flavor" }).click();
  await expect(flavorForm).toBeHidden();
  await expect(page.getByTestId("flavor-row").filter({ hasText: ownFlavor })).toContainText(
    `Group ${className}'s own`,
  );
  await screenshot(page, "classes-02b-own-flavor");
  await page.goto(`/classes/${group.id}`);

  // Catalogue: the demo image and the smallest public flavor.
  await page.getByRole("button", { name: "Edit catalogue" }).click();
  const cat = page.getByRole("dialog");
  await cat.getByLabel(DEMO_IMAGE).check();
  await cat.getByRole("group", { name: "Flavors" }).getByRole("checkbox").first().check();
  await screenshot(page, "classes-03-catalogue-dialog");
  await cat.getByRole("button", { name: "Save catalogue" }).click();
  await expect(cat).toBeHidden();
  await expect(page.getByTestId("catalogue")).toContainText(DEMO_IMAGE);

  // One machine per student, in one action, and they come up on the page without a reload.
  await page.getByRole("button", { name: "Create one machine per student" }).click();
  const deploy = page.getByRole("dialog");
  await deploy.getByLabel("Image").selectOption({ label: DEMO_IMAGE });
  await deploy.getByLabel("Flavor").selectOption({ index: 1 });
  await deploy.getByLabel("Name prefix").fill("lab1");
  await expect(deploy).toContainText("Every student of the class (2)");
  await screenshot(page, "classes-04-deploy-dialog");
  await deploy.getByRole("button", { name: "Create machines" }).click();
  await expect(deploy.getByTestId("deploy-progress")).toBeVisible();
  await screenshot(page, "classes-05-deploy-progress");
  await expect(deploy).toContainText("2 of 2 running", { timeout: 240_000 });
  await screenshot(page, "classes-06-deploy-done");
  await deploy.getByTestId("deploy-progress").getByRole("button", { name: "Close" }).click();
  const rows = page.getByTestId("class-machine-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: `lab1-${students[0]}` }).getByTestId("instance-state")).toHaveText(
    "Running",
  );
  await screenshot(page, "classes-07-machines");

  // The teacher opens a student's console from the class page.
  await rows
    .filter({ hasText: `lab1-${students[0]}` })
    .getByRole("link", { name: "Console" })
    .click();
  await expect(page).toHaveURL(/\/instances\/[0-9a-f-]+\/console/);
  await expect(page.getByTestId("console-state")).toHaveText(/Connected/, { timeout: 60_000 });
  await screenshot(page, "classes-08-student-console");
  await signOut(page);

  // A student sees their machine and nobody else's.
  await signInAndWaitForDashboard(page, students[1]!, `${students[1]}-pw-1`);
  await page.goto("/instances");
  const mine = page.getByTestId("instance-row");
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText(`lab1-${students[1]}`);
  await expect(
    page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Classes" }),
  ).toHaveCount(0);
  await screenshot(page, "classes-09-student-sees-own");
  await signOut(page);

  // The class page in 简体中文, then the machines are taken away again.
  await signInAndWaitForDashboard(page, teacher, `${teacher}-pw-1`);
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: page.url() }]);
  await page.goto(`/classes/${group.id}`);
  await expect(page.getByRole("heading", { level: 1, name: className })).toBeVisible();
  await expect(page.getByRole("button", { name: "为每位学生创建一台云主机" })).toBeVisible();
  await screenshot(page, "classes-10-class-page-zh");
  await page.getByRole("button", { name: "删除这些云主机" }).click();
  await screenshot(page, "classes-11-undeploy-confirm-zh");
  await page.getByRole("dialog").getByRole("button", { name: "删除", exact: true }).click();
  await expect(page.getByTestId("class-machine-row")).toHaveCount(0, { timeout: 120_000 });
  await screenshot(page, "classes-12-removed-zh");
});
