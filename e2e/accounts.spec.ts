// Accounts for a school: self sign-up approved by the group's admin, a reset link handed over by the admin,
// a class imported from CSV with passwords shown once. Screens in English and 简体中文.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { screenshot, signIn, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";
import { callTrpc } from "./support/trpc";

const freshPage = async (browser: Browser, locale?: "zh-CN"): Promise<Page> => {
  const { baseURL } = readRunState();
  const context = await browser.newContext({ baseURL });
  if (locale) await context.addCookies([{ name: "NEXT_LOCALE", value: locale, url: baseURL }]);
  return context.newPage();
};

/** The superAdm (signed in on `page`) makes the teacher the group's admin in the Groups page's Teachers dialog. */
async function makeGroupAdmin(page: Page, teacherName: string, groupName: string): Promise<void> {
  await page.goto("/admin/groups");
  const row = page.getByRole("row").filter({ hasText: groupName });
  await row.getByRole("button", { name: `Teachers of ${groupName}` }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(teacherName).check();
  await dialog.getByRole("button", { name: "Save teachers" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId("group-admins")).toHaveText(teacherName);
}

async function switchSignUp(page: Page, input: { on: boolean; groupId: number | null }) {
  await callTrpc(
    page.request,
    "portalSettings.update",
    { signUpEnabled: input.on, signUpGroupId: input.groupId, signUpNeedsApproval: true, smtp: null },
    "mutation",
  );
}

test.describe.configure({ mode: "serial" });

test("self sign-up: the admin opens it, someone signs up, the group's admin approves, they sign in", async ({
  page,
  browser,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const className = uniqueName("class");
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: className },
    "mutation",
  );
  const teacherName = uniqueName("teacher");
  await callTrpc(
    page.request,
    "users.create",
    {
      username: teacherName,
      displayName: "Teacher",
      password: "teacher-password-1",
      role: "powerAdm",
      groupIds: [group.id],
    },
    "mutation",
  );
  await makeGroupAdmin(page, teacherName, className);

  try {
    await page.goto("/admin/settings");
    await expect(page.getByRole("heading", { name: "Portal settings" })).toBeVisible();
    await page.getByLabel("Anyone may create an account on the sign-in page").check();
    await page.getByLabel("Group new accounts join").selectOption(String(group.id));
    await expect(page.getByLabel(/approves each new account/)).toBeChecked();
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
    await screenshot(page, "accounts-portal-settings");

    const stranger = await freshPage(browser);
    await stranger.goto("/login");
    await stranger.getByRole("link", { name: "Sign up" }).click();
    await expect(stranger.getByRole("heading", { name: "Create an account" })).toBeVisible();
    const studentName = uniqueName("student");
    await stranger.getByLabel("Username").fill(studentName);
    await stranger.getByLabel("Display name").fill("Li Lei");
    await stranger.getByLabel("E-mail").fill(`${studentName}@school.example`);
    await stranger.getByLabel("Password", { exact: true }).fill("student-password-1");
    await stranger.getByLabel("Password again").fill("student-password-2");
    await stranger.getByRole("button", { name: "Create account" }).click();
    await expect(stranger.getByText("The passwords differ.")).toBeVisible();
    await stranger.getByLabel("Password again").fill("student-password-1");
    await screenshot(stranger, "accounts-sign-up");
    await stranger.getByRole("button", { name: "Create account" }).click();
    await expect(stranger.getByTestId("sign-up-done")).toContainText("must approve it");

    // Pending: a wrong password learns nothing; the right one is told to wait.
    await signIn(stranger, studentName, "not-the-password-1");
    await expect(stranger.getByTestId("form-error")).toHaveText("Wrong username or password.");
    await signIn(stranger, studentName, "student-password-1");
    await expect(stranger.getByTestId("form-error")).toContainText("waiting for approval");
    await screenshot(stranger, "accounts-sign-in-pending");

    const teacherPage = await freshPage(browser);
    await signInAndWaitForDashboard(teacherPage, teacherName, "teacher-password-1");
    await teacherPage.goto("/admin/users");
    const row = teacherPage.getByRole("row").filter({ hasText: studentName });
    await expect(row.getByText("Waiting for approval")).toBeVisible();
    await screenshot(teacherPage, "accounts-pending-approval");
    await teacherPage.getByRole("button", { name: `Approve ${studentName}` }).click();
    await expect(teacherPage.getByText(`${studentName} may sign in now.`)).toBeVisible();
    await expect(row.getByText("Enabled")).toBeVisible();
    await teacherPage.context().close();

    await signInAndWaitForDashboard(stranger, studentName, "student-password-1");
    await stranger.context().close();
  } finally {
    await switchSignUp(page, { on: false, groupId: null });
  }
});

test("reset link: the admin issues it, the user sets a new password through it, once", async ({
  page,
  browser,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const name = uniqueName("forgetful");
  await callTrpc(
    page.request,
    "users.create",
    {
      username: name,
      displayName: "Forgetful",
      password: "forgotten-password-1",
      role: "user",
      groupIds: [],
    },
    "mutation",
  );
  await page.goto("/admin/users");
  await page.getByLabel("Search users").fill(name);
  await page.getByRole("button", { name: `Issue a reset link for ${name}` }).click();
  await expect(page.getByText("valid for 30 minutes")).toBeVisible();
  await page.getByRole("button", { name: "Issue link" }).click();
  const link = await page.getByTestId("reset-link").inputValue();
  expect(link).toMatch(/\/reset\/[A-Za-z0-9_-]{43}$/);
  await screenshot(page, "accounts-reset-link-issued");
  await page.getByRole("button", { name: "Close", exact: true }).last().click();

  const user = await freshPage(browser);
  await user.goto(link);
  await expect(user.getByRole("heading", { name: "Set a new password" })).toBeVisible();
  await user.getByLabel("New password", { exact: true }).fill("remembered-password-2");
  await user.getByLabel("New password again").fill("remembered-password-2");
  await screenshot(user, "accounts-reset-page");
  await user.getByRole("button", { name: "Set password" }).click();
  await expect(user.getByTestId("reset-done")).toBeVisible();
  await signIn(user, name, "forgotten-password-1");
  await expect(user.getByTestId("form-error")).toHaveText("Wrong username or password.");
  await signInAndWaitForDashboard(user, name, "remembered-password-2");
  await user.context().clearCookies();

  // Used once: the same link again is refused.
  await user.goto(link);
  await user.getByLabel("New password", { exact: true }).fill("third-password-3");
  await user.getByLabel("New password again").fill("third-password-3");
  await user.getByRole("button", { name: "Set password" }).click();
  await expect(user.getByText(/reset link is not valid/)).toBeVisible();
  await user.context().close();
});

test("CSV import: per-row result, passwords shown once, an imported student signs in", async ({
  page,
  browser,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const className = uniqueName("csv");
  await callTrpc(page.request, "groups.create", { name: className }, "mutation");
  const p = uniqueName("s").replace("-", "");
  const csv = [
    "username,display name,email,group",
    `${p}a,"Wang, Fang",${p}a@school.example,${className}`,
    `${p}b,李雷,,${className}`,
    `${p}c,韩梅梅,${p}c@school.example,${className}`,
    `${p}d,Nobody,,no-such-class`,
  ].join("\n");
  await page.goto("/admin/users");
  await page.getByRole("button", { name: "Import from CSV" }).click();
  await page.getByLabel("…or paste the rows here").fill(csv);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-summary")).toHaveText("3 accounts created; 1 row failed.");
  await expect(page.getByText("No group named “no-such-class”.")).toBeVisible();
  const passwords = page.getByTestId("initial-password");
  await expect(passwords).toHaveCount(3);
  const firstPassword = (await passwords.first().textContent())!.trim();
  await screenshot(page, "accounts-csv-import-result");
  await page.getByRole("button", { name: "Close", exact: true }).last().click();
  // Shown once: opened again, the dialog has no passwords.
  await page.getByRole("button", { name: "Import from CSV" }).click();
  await expect(page.getByTestId("initial-password")).toHaveCount(0);

  const student = await freshPage(browser);
  await signInAndWaitForDashboard(student, `${p}a`, firstPassword);
  // The student corrects their own name and address on the settings page.
  await student.goto("/settings");
  const profile = student.getByRole("form", { name: "Edit profile" });
  await expect(profile.getByLabel("Display name")).toHaveValue("Wang, Fang");
  await profile.getByLabel("Display name").fill("王芳");
  await profile.getByLabel("E-mail").fill(`${p}a@home.example`);
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(student.getByText("Your profile was saved.")).toBeVisible();
  await expect(student.getByText(`${p}a@home.example`).first()).toBeVisible();
  await screenshot(student, "accounts-profile-saved");
  await student.context().close();
});

test("the same screens in 简体中文", async ({ browser }) => {
  const { adminUsername, adminPassword, baseURL } = readRunState();
  const page = await freshPage(browser);
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // Signing in sets the account's language (English); the reader switches this browser to Chinese.
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: baseURL }]);
  await page.goto("/admin/settings");
  await expect(page.getByRole("heading", { name: "门户设置" })).toBeVisible();
  await page.getByLabel("通过 SMTP 服务器发送邮件").check();
  await screenshot(page, "accounts-portal-settings-zh");
  await page.goto("/admin/users");
  await page.getByRole("button", { name: "从 CSV 导入" }).click();
  await page
    .getByLabel("……或把各行粘贴到这里")
    .fill("username,display name,email,group\n坏名字,学生,,没有这个组");
  await page.getByRole("button", { name: "导入", exact: true }).click();
  await expect(page.getByTestId("import-summary")).toContainText("1 行失败");
  await screenshot(page, "accounts-csv-import-zh");

  const anon = await freshPage(browser, "zh-CN");
  await anon.goto("/signup");
  await expect(anon.getByText("此处已关闭自助注册。")).toBeVisible();
  await screenshot(anon, "accounts-sign-up-off-zh");
  await anon.goto(`/reset/${"x".repeat(43)}`);
  await anon.getByLabel("新密码", { exact: true }).fill("some-password-12");
  await anon.getByLabel("再次输入新密码").fill("some-password-12");
  await anon.getByRole("button", { name: "设置密码" }).click();
  await expect(anon.getByText(/此重置链接无效/)).toBeVisible();
  await screenshot(anon, "accounts-reset-invalid-zh");
  await anon.context().close();
  await page.context().close();
});
