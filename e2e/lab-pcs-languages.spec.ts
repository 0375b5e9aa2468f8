// Issue 14's pages as a school's admin and a student see them, in English and in 简体中文, with data on
// them: a "Local desktops" cluster of two lab PCs (one running a local desktop for a student, one for
// nobody signed in), an approved terminal in a lab with a student signed in at it, its kiosk's sign-in
// and the student's desktop full page. Every page is shot in both languages (e2e/.artifacts/screenshots/
// lab-pcs-*), and no English label may be left on the Chinese ones: every Latin word on them must be a
// name this spec gave (or MAC, IP, a version's "v").
import { expect, test, type Page } from "@playwright/test";
import { signTerminalRequest } from "../server/domain/terminals/terminal-secrets";
import { screenshot, signInAndWaitForDashboard } from "./support/actions";
import { joinLabPc, localProfilesAt, reportLocalRun } from "./support/lab-pc";
import { DEMO_IMAGE } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc, tryTrpc } from "./support/trpc";

const LOCALES = ["en", "zh-CN"] as const;
type Locale = (typeof LOCALES)[number];
/** Latin words a Chinese page may show: technical terms kept as they are. */
const KEPT = [
  "eduCloud",
  // The language switch names each language in its own.
  "English",
  "qemu",
  "vmx",
  "svm",
  "MAC",
  "IP",
  "KVM",
  "TCG",
  "QEMU",
  "GiB",
  "MiB",
  "CPU",
  "CPUs",
  "vCPU",
  "ws",
  "docs",
  "labs",
  "md",
];

async function useLocale(page: Page, locale: Locale) {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, url: page.url() }]);
  await page.reload();
}

/** The Latin words on the page that are neither the spec's names nor kept terms. */
async function englishOn(page: Page, names: string[]): Promise<string[]> {
  let text = await page.locator("body").innerText();
  // Longest first: a desktop's name starts with its lab's.
  for (const n of [...names].sort((a, b) => b.length - a.length)) text = text.replaceAll(n, "");
  const words = text.match(/[A-Za-z]{3,}/g) ?? [];
  return [...new Set(words.filter((w) => !KEPT.includes(w)))];
}

test.use({ actionTimeout: 60_000 });

test("lab PCs, terminals and the kiosk in English and 简体中文", async ({ page, browser }) => {
  test.setTimeout(600_000);
  const { baseURL, adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const r = page.request;
  const tag = Math.random().toString(36).slice(2, 6);
  const names = {
    group: `7a-${tag}`,
    student: `zhangwei-${tag}`,
    studentShown: "张伟",
    pcStudent: `lisi-${tag}`,
    profile: `Office-${tag}`,
    publicProfile: `Scratch-${tag}`,
    lab: `Room101-${tag}`,
    cluster: `Room204-${tag}`,
    pc1: `r204-pc01-${tag}`,
    pc2: `r204-pc02-${tag}`,
    terminal: `r101-seat01-${tag}`,
  };
  const password = `${names.student}-pw-1`;

  const { items: images } = await callTrpc<{ items: { id: string; name: string }[] }>(
    r,
    "images.list",
    { search: DEMO_IMAGE, limit: 500 },
    "query",
  );
  const flavors = await callTrpc<{ id: number; name: string }[]>(r, "flavors.list", undefined, "query");
  const imageId = images.find((i) => i.name === DEMO_IMAGE)!.id;
  const flavorId = flavors.find((f) => f.name === "m1.tiny")!.id;
  const group = await callTrpc<{ id: number }>(
    r,
    "groups.create",
    { name: names.group, kind: "class" },
    "mutation",
  );
  for (const [username, displayName] of [
    [names.student, names.studentShown],
    [names.pcStudent, "李四"],
  ] as const)
    await callTrpc(
      r,
      "users.create",
      { username, displayName, password: `${username}-pw-1`, role: "user", groupIds: [group.id] },
      "mutation",
    );
  await callTrpc(r, "quotas.setGroupLimits", { groupId: group.id, limits: { instances: 3 } }, "mutation");
  const profile = await callTrpc<{ id: number }>(
    r,
    "profiles.create",
    { name: names.profile, groupId: group.id, imageId, flavorId },
    "mutation",
  );
  const publicProfile = await callTrpc<{ id: number }>(
    r,
    "profiles.create",
    { name: names.publicProfile, groupId: null, imageId, flavorId },
    "mutation",
  );
  const lab = await callTrpc<{ id: number }>(
    r,
    "labs.create",
    { name: names.lab, groupId: group.id, seats: 2, profileIds: [profile.id] },
    "mutation",
  );
  // Two desktops: one for the student at the kiosk, one spare to show in the seat picker.
  const pool = await callTrpc<{ id: number }>(
    r,
    "pools.create",
    { labId: lab.id, profileId: profile.id, size: 2, spare: 1 },
    "mutation",
  );
  await callTrpc(r, "pools.start", { id: pool.id }, "mutation");
  const cluster = await callTrpc<{ id: number }>(
    r,
    "clusters.create",
    { name: names.cluster, kind: "local", description: "二楼机房 / second floor" },
    "mutation",
  );
  const hostIds: string[] = [];
  let terminalId: string | null = null;
  try {
    // ---- The lab PCs of room 204 in local mode: one runs a student's desktop, one a public one. ----
    const pc1 = await joinLabPc(r, {
      name: names.pc1,
      clusterId: cluster.id,
      consoleUrl: "ws://127.0.0.1:7996",
    });
    const pc2 = await joinLabPc(r, {
      name: names.pc2,
      clusterId: cluster.id,
      consoleUrl: "ws://127.0.0.1:7997",
    });
    hostIds.push(pc1.hostId, pc2.hostId);
    const atPc = await localProfilesAt(r, pc1, {
      username: names.pcStudent,
      password: `${names.pcStudent}-pw-1`,
    });
    await reportLocalRun(r, pc1, {
      profileId: profile.id,
      profileName: names.profile,
      profileVersion: 1,
      userId: atPc.user!.id,
      userTicket: atPc.user!.ticket,
    });
    await reportLocalRun(r, pc2, {
      profileId: publicProfile.id,
      profileName: names.publicProfile,
      profileVersion: 1,
    });

    // ---- A terminal enrols (as its boot script does), the admin approves it into the lab. ----
    const enrol = await r.post("/api/v1/terminals/enrol", {
      data: { mac: "02:e2:e1:00:00:01", name: names.terminal },
    });
    expect(enrol.status()).toBe(201);
    const t = (await enrol.json()) as { terminalId: string; secret: string };
    terminalId = t.terminalId;
    await callTrpc(
      r,
      "terminals.approve",
      { id: t.terminalId, labId: lab.id, seatInstanceId: null },
      "mutation",
    );
    const config = await r.get("/api/v1/terminals/config", {
      headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "GET", "/api/v1/terminals/config"),
    });
    expect(config.status(), await config.text()).toBe(200);
    const { kioskUrl } = (await config.json()) as { kioskUrl: string };

    // ---- The kiosk's sign-in, in both languages (the kiosk cookie stays, the language cookie changes). ----
    const kiosk = await (
      await browser.newContext({ baseURL, viewport: { width: 1024, height: 768 } })
    ).newPage();
    await kiosk.goto(kioskUrl);
    await expect(kiosk).toHaveURL(/\/kiosk$/);
    for (const locale of LOCALES) {
      await useLocale(kiosk, locale);
      await expect(kiosk.getByRole("heading", { name: names.lab })).toBeVisible();
      await kiosk.screenshot({ path: `e2e/.artifacts/screenshots/lab-pcs-kiosk-sign-in-${locale}.png` });
      if (locale === "zh-CN") expect(await englishOn(kiosk, Object.values(names))).toEqual([]);
    }

    // ---- The student signs in at the kiosk: their desktop, full page (shot in both languages). ----
    await kiosk.getByLabel("用户名").fill(names.student);
    await kiosk.getByLabel("密码").fill(password);
    await kiosk.getByRole("button", { name: "登录" }).click();
    const screen = kiosk.getByTestId("kiosk-screen");
    await expect(screen).toHaveAttribute("data-phase", "connected", { timeout: 300_000 });
    await expect(kiosk.getByText(`已登录：${names.studentShown}`)).toBeVisible();
    // The guest's boot messages need a moment on the canvas.
    await kiosk.waitForTimeout(3000);
    await kiosk.screenshot({ path: "e2e/.artifacts/screenshots/lab-pcs-kiosk-desktop-zh-CN.png" });
    await useLocale(kiosk, "en");
    await expect(screen).toHaveAttribute("data-phase", "connected", { timeout: 60_000 });
    await expect(kiosk.getByText(`Signed in as ${names.studentShown}`)).toBeVisible();
    await kiosk.waitForTimeout(3000);
    await kiosk.screenshot({ path: "e2e/.artifacts/screenshots/lab-pcs-kiosk-desktop-en.png" });

    // ---- The admin's pages in both languages. ----
    for (const locale of LOCALES) {
      await page.goto("/terminals");
      await useLocale(page, locale);
      const row = page.locator(`[data-terminal-id="${t.terminalId}"]`);
      await expect(row.getByTestId("terminal-user")).toHaveText(names.student);
      await screenshot(page, `lab-pcs-terminals-${locale}`);
      const shown = await callTrpc<{ id: string; desktop: { name: string } | null }[]>(
        r,
        "terminals.list",
        undefined,
        "query",
      );
      const leftOver = await englishOn(page, [
        ...Object.values(names),
        adminUsername,
        ...shown.flatMap((x) => [x.id.slice(0, 8), ...(x.desktop ? [x.desktop.name] : [])]),
      ]);
      // The edit dialog's seat picker: the lab's desktops by name.
      await row.getByRole("button", { name: locale === "en" ? "Edit" : "编辑" }).click();
      const dialog = page.getByRole("dialog");
      const seat = dialog.getByLabel(locale === "en" ? "Seat desktop" : "固定座位桌面");
      // No seat, the student's desktop (listed, not choosable) and the spare one.
      const desktops = await callTrpc<{ id: string; name: string; handedOut: boolean }[]>(
        r,
        "terminals.seatChoices",
        { labId: lab.id },
        "query",
      );
      expect(desktops.map((d) => d.handedOut).sort()).toEqual([false, true]);
      await expect(seat.locator("option")).toHaveCount(3);
      await expect(seat.locator("option[disabled]")).toHaveCount(1);
      await seat.selectOption(desktops.find((d) => !d.handedOut)!.id);
      // The viewport, not the full page: the dialog's backdrop covers the viewport only.
      await page.screenshot({ path: `e2e/.artifacts/screenshots/lab-pcs-terminal-dialog-${locale}.png` });
      const leftInDialog = await englishOn(page, [
        ...Object.values(names),
        adminUsername,
        ...desktops.map((d) => d.name),
        t.terminalId.slice(0, 8),
      ]);
      await page.keyboard.press("Escape");

      await page.goto("/admin/clusters");
      await expect(page.getByTestId("cluster-row").filter({ hasText: names.cluster })).toBeVisible();
      await screenshot(page, `lab-pcs-clusters-${locale}`);
      const leftOnClusters = await englishOn(page, [...Object.values(names), adminUsername, "second floor"]);

      await page.goto("/admin/hosts");
      const hosts = await callTrpc<{ name: string; facts: { cpuModel: string } }[]>(
        r,
        "hosts.list",
        undefined,
        "query",
      );
      await expect(page.getByTestId("local-desktop-row").filter({ hasText: names.pc1 })).toContainText(
        names.pcStudent,
      );
      await screenshot(page, `lab-pcs-hosts-${locale}`);
      const leftOnHosts = await englishOn(page, [
        ...Object.values(names),
        adminUsername,
        ...hosts.flatMap((h) => [h.name, h.facts.cpuModel]),
      ]);
      if (locale === "zh-CN")
        expect({ leftOver, leftInDialog, leftOnClusters, leftOnHosts }).toEqual({
          leftOver: [],
          leftInDialog: [],
          leftOnClusters: [],
          leftOnHosts: [],
        });
    }
    await kiosk.context().close();
  } finally {
    await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: baseURL }]);
    if (terminalId) await tryTrpc(r, "terminals.delete", { id: terminalId }, "mutation");
    for (const id of hostIds) await tryTrpc(r, "hosts.remove", { id }, "mutation");
    await tryTrpc(r, "clusters.delete", { id: cluster.id }, "mutation");
    await tryTrpc(r, "pools.stop", { id: pool.id }, "mutation");
    await tryTrpc(r, "pools.delete", { id: pool.id }, "mutation");
    await tryTrpc(r, "profiles.delete", { id: publicProfile.id }, "mutation");
  }
});
