// Local desktops on the Hosts page (issue 14, F7: "the admin sees which PCs run which local desktop"),
// without QEMU: a lab PC joins a "Local desktops" cluster with the join token the admin made, and its
// agent's own requests (made by hand here) list the profiles it may offer — the public one anonymously,
// a class's after the student signs in at the PC — and report two runs. The admin's Hosts page shows
// the PC in its cluster and, below, which PC runs which profile and for whom; a run the PC reports
// ended leaves the list.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { joinLabPc, localProfilesAt, reportLocalRun } from "./support/lab-pc";
import { DEMO_IMAGE } from "./support/launch-group";
import { readRunState } from "./support/run-state";
import { callTrpc, tryTrpc } from "./support/trpc";

test("the Hosts page shows which lab PC runs which local desktop, and for whom", async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const { items: images } = await callTrpc<{ items: { id: string; name: string }[] }>(
    page.request,
    "images.list",
    { search: DEMO_IMAGE, limit: 500 },
    "query",
  );
  const flavors = await callTrpc<{ id: number }[]>(page.request, "flavors.list", undefined, "query");
  const imageId = images.find((i) => i.name === DEMO_IMAGE)!.id;
  const group = await callTrpc<{ id: number }>(
    page.request,
    "groups.create",
    { name: uniqueName("8b"), kind: "class" },
    "mutation",
  );
  const student = uniqueName("student");
  await callTrpc(
    page.request,
    "users.create",
    {
      username: student,
      displayName: "Li Na",
      password: `${student}-pw-1`,
      role: "user",
      groupIds: [group.id],
    },
    "mutation",
  );
  const publicName = uniqueName("Open lab desktop");
  const className = uniqueName("8b Office");
  const makeProfile = (name: string, groupId: number | null) =>
    callTrpc<{ id: number }>(
      page.request,
      "profiles.create",
      { name, groupId, imageId, flavorId: flavors[0]!.id },
      "mutation",
    );
  const publicProfile = await makeProfile(publicName, null);
  const classProfile = await makeProfile(className, group.id);
  const cluster = await callTrpc<{ id: number }>(
    page.request,
    "clusters.create",
    { name: uniqueName("Room 204 PCs"), kind: "local" },
    "mutation",
  );
  const pcName = uniqueName("room204-pc");
  let hostId: string | null = null;
  try {
    const pc = await joinLabPc(page.request, {
      name: pcName,
      clusterId: cluster.id,
      consoleUrl: "ws://127.0.0.1:7995",
    });
    hostId = pc.hostId;

    // Nobody signed in at the PC: the public profile only. The student signs in: their class's too.
    const anonymous = await localProfilesAt(page.request, pc);
    expect(anonymous.profiles.map((p) => p.id)).toContain(publicProfile.id);
    expect(anonymous.profiles.map((p) => p.id)).not.toContain(classProfile.id);
    const signedIn = await localProfilesAt(page.request, pc, {
      username: student,
      password: `${student}-pw-1`,
    });
    expect(signedIn.profiles.map((p) => p.id)).toContain(classProfile.id);

    const anonymousRun = await reportLocalRun(page.request, pc, {
      profileId: publicProfile.id,
      profileName: publicName,
      profileVersion: 1,
    });
    await reportLocalRun(page.request, pc, {
      profileId: classProfile.id,
      profileName: className,
      profileVersion: 1,
      userId: signedIn.user!.id,
      userTicket: signedIn.user!.ticket,
    });

    await page.goto("/admin/hosts");
    const hostRow = page.getByTestId("host-row").filter({ hasText: pcName });
    await expect(hostRow.getByTestId("host-cluster")).toContainText("Local desktops");
    const local = page.getByRole("region", { name: "Local desktops on lab PCs" });
    const runs = local.getByTestId("local-desktop-row").filter({ hasText: pcName });
    await expect(runs).toHaveCount(2);
    await expect(runs.filter({ hasText: publicName })).toContainText("Anonymous");
    await expect(runs.filter({ hasText: publicName })).toContainText(`${publicName} (v1)`);
    await expect(runs.filter({ hasText: className })).toContainText(student);
    await local.scrollIntoViewIfNeeded();
    await screenshot(page, "local-desktops-01-running");

    // The PC reports the anonymous run ended: it leaves the running list (the page polls).
    await reportLocalRun(page.request, pc, { ...anonymousRun, endedAt: new Date() });
    await expect(runs).toHaveCount(1, { timeout: 15_000 });
    await expect(runs).toContainText(className);
  } finally {
    if (hostId) await tryTrpc(page.request, "hosts.remove", { id: hostId }, "mutation");
    // Other specs' "Add host" expects no cluster picker: the cluster goes.
    await tryTrpc(page.request, "clusters.delete", { id: cluster.id }, "mutation");
    for (const p of [publicProfile, classProfile])
      await tryTrpc(page.request, "profiles.delete", { id: p.id }, "mutation");
  }
});
