// A superAdm's answer to a stolen lab machine, in the browser: the Hosts page shows the host's pinned
// console address (and lets the admin move it), issues new credentials, revokes the host — whose
// credential is refused at once — and removes it.
import { expect, test } from "@playwright/test";
import { screenshot, signInAndWaitForDashboard, uniqueName } from "./support/actions";
import { PC_FACTS } from "./support/lab-pc";
import { readRunState } from "./support/run-state";
import { callTrpc } from "./support/trpc";

test("a superAdm moves a host's console address, renews its credentials, revokes and removes it", async ({
  page,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  // A host joins the way an agent does: a one-time token, then the join request over HTTP.
  const { token } = await callTrpc<{ token: string }>(
    page.request,
    "hosts.createJoinToken",
    undefined,
    "mutation",
  );
  const name = uniqueName("lab-pc");
  const joined = await page.request.post("/api/v1/agent/join", {
    data: { token, name, facts: PC_FACTS, consoleUrl: "ws://127.0.0.1:7991" },
  });
  expect(joined.status()).toBe(200);
  const { hostId, hostSecret } = (await joined.json()) as { hostId: string; hostSecret: string };
  const asHost = (secret: string) =>
    page.request.get("/api/v1/agent/console-key", {
      headers: { authorization: `Bearer ${hostId}.${secret}` },
    });
  expect((await asHost(hostSecret)).status()).toBe(200);

  await page.goto("/admin/hosts");
  const row = page.getByTestId("host-row").filter({ hasText: name });
  await expect(row.getByTestId("host-console-url")).toHaveText("ws://127.0.0.1:7991");

  // The pinned console address: only ws(s)://host:port is taken.
  await row.getByRole("button", { name: "Change" }).click();
  await row.getByRole("textbox").fill("http://evil.example/steal?x=1");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText("A console address is ws:// or wss://");
  await row.getByRole("textbox").fill("ws://127.0.0.1:7992");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByTestId("host-console-url")).toHaveText("ws://127.0.0.1:7992");
  await screenshot(page, "hosts-03-console-address");

  // New credentials: the old secret is refused at once; the page shows the re-join command.
  await row.getByRole("button", { name: "New credentials" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Issue new credentials" }).click();
  await expect(page.getByTestId("join-command")).toContainText(
    /npm run agent -- join --portal \S+ --token=\S{40,}/,
  );
  await screenshot(page, "hosts-04-new-credentials");
  expect((await asHost(hostSecret)).status()).toBe(401);
  await page.keyboard.press("Escape");

  // Revoke: marked on the page, and a revoked host gets nothing.
  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Host ${name} is revoked`);
  await expect(row).toContainText("Revoked");
  await screenshot(page, "hosts-05-revoked");

  // Remove: it has no instances, so it goes.
  await row.getByRole("button", { name: "Remove" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("host-row").filter({ hasText: name })).toHaveCount(0);
});

test("a superAdm makes a cluster, adds a host into it with the join token, moves it out and deletes the cluster", async ({
  page,
}) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const cluster = uniqueName("lab-pcs");
  await page.goto("/admin/clusters");
  await page.getByRole("button", { name: "New cluster" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(cluster);
  await dialog.getByLabel("Kind").selectOption({ label: "Remote desktops" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Cluster ${cluster} created.`);
  const clusterRow = page.getByTestId("cluster-row").filter({ hasText: cluster });
  await expect(clusterRow).toContainText("Remote desktops");
  await expect(clusterRow).toContainText("0 hosts");

  try {
    // Add host now asks where the new host goes; the token carries the answer.
    await page.goto("/admin/hosts");
    await page.getByRole("button", { name: "Add host" }).click();
    await page
      .getByLabel("Cluster the new host joins")
      .selectOption({ label: `${cluster} — Remote desktops` });
    await page.getByRole("button", { name: "Create join command" }).click();
    await expect(page.getByTestId("join-cluster")).toHaveText(`The host will join cluster ${cluster}.`);
    const command = (await page.getByTestId("join-command").textContent()) ?? "";
    const token = /--token=(\S+)/.exec(command)![1]!;
    await screenshot(page, "hosts-06-join-into-cluster");
    await page.getByRole("button", { name: "Done" }).click();

    // The agent asks for a servers cluster: ignored, the token decides.
    const name = uniqueName("lab-pc");
    const joined = await page.request.post("/api/v1/agent/join", {
      data: {
        token,
        name,
        facts: PC_FACTS,
        consoleUrl: "ws://127.0.0.1:7993",
        clusterId: 1,
        cluster: "servers",
      },
    });
    expect(joined.status()).toBe(200);
    const row = page.getByTestId("host-row").filter({ hasText: name });
    await expect(row.getByTestId("host-cluster")).toContainText("Remote desktops");
    await expect(row.getByLabel(`Cluster of ${name}`)).toHaveValue(/\d+/);
    await screenshot(page, "hosts-07-cluster-column");

    // Out of the cluster: the host takes servers and remote desktops again.
    await row.getByLabel(`Cluster of ${name}`).selectOption({ label: "None" });
    await expect(page.getByTestId("flash")).toContainText(`Host ${name} is in no cluster now`);
    await expect(row.getByTestId("host-cluster")).toContainText("No cluster");

    await row.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect(row).toHaveCount(0);
  } finally {
    // Other specs' "Add host" expects no cluster picker: the cluster goes, through the page.
    await page.goto("/admin/clusters");
    await clusterRow.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId("flash")).toContainText(`Cluster ${cluster} deleted.`);
  }
});
