// Public images are superAdm's: a teacher's upload dialog offers "group" and "private" only, with a hint
// saying who publishes (the server refuses "public" from them too: server/domain/images/manage-images.ts).
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";
import { callTrpc } from "./support/trpc";

test("a teacher's upload dialog offers group and private, not public (English and Chinese)", async ({
  page,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: uniqueName("class") },
    "mutation",
  );
  const teacher = uniqueName("teacher");
  await callTrpc(
    page.request,
    "users.create",
    {
      username: teacher,
      displayName: "Ms Wang",
      password: "teacher-password-1",
      role: "powerAdm",
      groupIds: [group.id],
    },
    "mutation",
  );
  await signOut(page);
  await signInAndWaitForDashboard(page, teacher, "teacher-password-1");
  await page.goto("/admin/images");
  await page.getByRole("button", { name: "Upload image" }).click();
  const dialog = page.getByRole("dialog");
  const visibility = dialog.getByLabel("Visibility");
  await expect(visibility).toHaveValue("private");
  await expect(visibility.locator("option")).toHaveText(["Group", "Private"]);
  await expect(dialog).toContainText("Public images are published by a superAdm.");
  await screenshot(page, "image-visibility-teacher-upload-en");

  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByLabel("Language", { exact: true }).selectOption("zh-CN");
  await page.getByRole("button", { name: "上传镜像" }).click();
  await expect(page.getByRole("dialog")).toContainText("公开镜像由超级管理员发布。");
  await screenshot(page, "image-visibility-teacher-upload-zh");
});
