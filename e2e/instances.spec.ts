// A student launches the demo image from the portal and watches it come up without reloading the page;
// then stops and deletes it. Real agent, real QEMU behind the page.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { createStudentWhoLaunches } from "./support/launch-group";
import { readRunState } from "./support/run-state";

test("a user launches the demo image, sees it reach Running live, stops and deletes it", async ({ page }) => {
  test.setTimeout(240_000);
  const { adminUsername, adminPassword } = readRunState();
  const student = uniqueName("student");
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // A student launches from their class's catalogue.
  await createStudentWhoLaunches(page.request, {
    username: student,
    displayName: "Student",
    password: "student-password-1",
    role: "user",
  });
  await signOut(page);

  await signInAndWaitForDashboard(page, student, "student-password-1");
  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: "Instances", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "Instances" })).toBeVisible();
  await page.getByRole("button", { name: "Launch instance" }).click();
  const dialog = page.getByRole("dialog");
  const name = uniqueName("vm");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Image").selectOption({ label: "eduCloud test guest" });
  await dialog.getByLabel("Flavor").selectOption({ index: 1 });
  await screenshot(page, "instances-01-launch-dialog");
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();

  const row = page.getByTestId("instance-row").filter({ hasText: name });
  await expect(row).toBeVisible();
  await screenshot(page, "instances-02-building");
  // No reload from here on: the list follows the state by itself.
  await expect(row.getByTestId("instance-state")).toHaveText("Running", { timeout: 120_000 });
  await screenshot(page, "instances-03-running");

  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("instance-state")).toHaveText("Running");
  await expect(page.getByTestId("instance-events")).toContainText(/Scheduled on host/);
  await screenshot(page, "instances-04-detail");
  await page.getByRole("link", { name: "Back to instances" }).click();

  await row.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(row.getByTestId("instance-state")).toHaveText("Stopped", { timeout: 90_000 });
  await screenshot(page, "instances-05-stopped");

  await row.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete instance" }).click();
  await expect(row).toHaveCount(0, { timeout: 90_000 });
  await screenshot(page, "instances-06-deleted");
});

test("the admin sees the host with its facts, capacity, heartbeat and software emulation", async ({
  page,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  await page.goto("/admin/hosts");
  await expect(page.getByRole("heading", { name: "Hosts" })).toBeVisible();
  const row = page.getByTestId("host-row").filter({ hasText: "e2e-host" });
  await expect(row).toContainText("Up");
  await expect(row).toContainText(/KVM|TCG \(software emulation\)/);
  await expect(row).toContainText(/vCPUs/);
  await expect(row).toContainText(/s ago/);
  await screenshot(page, "hosts-01-list");
  await page.getByRole("button", { name: "Add host" }).click();
  await expect(page.getByTestId("join-command")).toContainText(
    /npm run agent -- join --portal http\S+ --token=\S{40,}/,
  );
  await screenshot(page, "hosts-02-add-host");
});
