// The networks admin pages end to end: create (with an overlap refused on its field), carve a subnet
// and watch its countdown, confirm it, allocate and release an infrastructure address, export the IP
// usage, and delete only once the network is empty. Then an instance on a network, with a port forward
// that really leads to its web server: the e2e agent builds its VM networks inside a namespace of the
// run's own (e2e/support/local-agent.ts), never on this machine's network.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { screenshot, signInAndWaitForDashboard, signOut, uniqueName } from "./support/actions";
import { readRunState } from "./support/run-state";
import { callTrpc, tryTrpc as trpc } from "./support/trpc";

// Addresses no other spec uses; every run has a database of its own.
const CIDR = "10.231.0.0/24";

test.beforeEach(async ({ page }) => {
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
});

// Whatever a failed run left behind must not give the next specs' instances a NIC by default.
test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  const { adminUsername, adminPassword } = readRunState();
  await signInAndWaitForDashboard(page, adminUsername, adminPassword);
  const networks = ((await trpc(page.request, "networks.list", undefined, "query")) ?? []) as {
    id: string;
    name: string;
  }[];
  for (const n of networks.filter((x) => x.name.startsWith("e2e-net-"))) {
    const detail = (await trpc(page.request, "networks.get", { id: n.id }, "query")) as {
      addresses: { id: number; kind: string }[];
      subnets: { id: number }[];
    } | null;
    for (const a of detail?.addresses.filter((x) => x.kind === "infrastructure") ?? [])
      await trpc(page.request, "ipam.releaseAddress", { id: a.id }, "mutation");
    for (const s of detail?.subnets ?? [])
      await trpc(page.request, "ipam.deleteSubnet", { id: s.id }, "mutation");
    await trpc(page.request, "networks.delete", { id: n.id }, "mutation");
  }
  await page.close();
});

test("an admin manages a network: overlap refused, subnet countdown and confirm, address, CSV, delete", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = uniqueName("e2e-net-lab");
  // With no network defined, launching offers none (the dialog is only looked at: nothing is launched).
  await page.goto("/instances");
  await page.getByRole("button", { name: "Launch instance" }).click();
  await expect(page.getByRole("dialog").getByLabel("Network")).toHaveText("No network");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  await page
    .getByRole("navigation", { name: "Main navigation" })
    .getByRole("link", { name: "Networks", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "Networks" })).toBeVisible();

  // Create: the browser checks the CIDR with the server's rules before sending anything.
  await page.getByRole("button", { name: "New network" }).click();
  let dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("CIDR").fill("10.231.0.5/24");
  await dialog.getByLabel("DNS servers").fill("1.1.1.1, 9.9.9.9");
  await dialog.getByRole("button", { name: "Create network" }).click();
  await expect(dialog.getByLabel("CIDR")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText("did you mean 10.231.0.0/24?")).toBeVisible();
  await dialog.getByLabel("CIDR").fill(CIDR);
  await screenshot(page, "networks-01-create-dialog");
  await dialog.getByRole("button", { name: "Create network" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("flash")).toContainText(`Network ${name} (${CIDR}) was created.`);
  const row = page.getByTestId("network-row").filter({ hasText: name });
  await expect(row).toContainText(CIDR);
  await expect(row).toContainText("gw 10.231.0.1");
  await expect(row).toContainText("All hosts");

  // Overlap: only the server knows the other networks; its answer lands on the CIDR field.
  await page.getByRole("button", { name: "New network" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill(uniqueName("e2e-net-clash"));
  await dialog.getByLabel("CIDR").fill("10.231.0.0/25");
  await dialog.getByLabel("Only these hosts").check();
  await dialog.getByLabel("e2e-host").check();
  await dialog.getByRole("button", { name: "Create network" }).click();
  await expect(dialog.getByLabel("CIDR")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText(`10.231.0.0/25 overlaps the network ${name} (${CIDR}).`)).toBeVisible();
  await screenshot(page, "networks-02-overlap-refused");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("network-row")).toHaveCount(1);
  await screenshot(page, "networks-03-list");

  // Now the launch dialog starts on it (looked at, not submitted: the e2e agent must build no bridge).
  await page.goto("/instances");
  await page.getByRole("button", { name: "Launch instance" }).click();
  const network = page.getByRole("dialog").getByLabel("Network");
  await expect(network.locator("option:checked")).toHaveText(`${name} (${CIDR})`);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await page.goto("/admin/networks");

  // Detail: carve a subnet and watch its countdown run down, live.
  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByRole("button", { name: "Carve subnet" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Owner").fill("lab-e2e");
  await dialog.getByLabel("Size").selectOption("16");
  await dialog.getByLabel("Confirm within (seconds)").fill("300");
  await dialog.getByRole("button", { name: "Carve subnet" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("flash")).toContainText("is reserved for lab-e2e");
  const subnet = page.getByTestId("subnet-row").filter({ hasText: "lab-e2e" });
  await expect(subnet).toContainText("Reserved");
  const subnetCidr = (await subnet.getByRole("cell").first().textContent())!.trim();
  expect(subnetCidr).toMatch(/^10\.231\.0\.\d+\/28$/);
  const countdown = subnet.getByTestId("subnet-countdown");
  const first = Number(await countdown.getAttribute("data-seconds"));
  expect(first).toBeGreaterThan(290);
  expect(first).toBeLessThanOrEqual(300);
  await expect
    .poll(async () => Number(await countdown.getAttribute("data-seconds")), { timeout: 5_000 })
    .toBeLessThanOrEqual(first - 2);
  await expect(countdown).toHaveText(/^4:\d\d left$/);
  await screenshot(page, "networks-04-subnet-reserved");

  await subnet.getByRole("button", { name: "Confirm" }).click();
  await expect(subnet).toContainText("Confirmed");
  await expect(subnet.getByTestId("subnet-countdown")).toHaveCount(0);

  // An infrastructure address, from the network's free pool.
  await page.getByRole("button", { name: "Allocate address" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Allocate" }).click();
  await expect(dialog.getByLabel("Label")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Label").fill("printer-room-12");
  await dialog.getByRole("button", { name: "Allocate" }).click();
  await expect(dialog).toBeHidden();
  const address = page.getByTestId("address-row").filter({ hasText: "printer-room-12" });
  await expect(address).toContainText("Infrastructure");
  await expect(address).toContainText(/10\.231\.0\.\d+/);

  // One more, from the subnet: it is counted in the subnet's block, not again as "used".
  await page.getByRole("button", { name: "Allocate address" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Label").fill("switch-lab-e2e");
  await dialog.getByLabel("Take it from").selectOption({ label: `Subnet ${subnetCidr} (lab-e2e)` });
  await dialog.getByRole("button", { name: "Allocate" }).click();
  await expect(dialog).toBeHidden();
  const inSubnet = page.getByTestId("address-row").filter({ hasText: "switch-lab-e2e" });
  await expect(inSubnet).toContainText(subnetCidr);
  const perOwner = page.getByRole("region", { name: "Addresses per owner" });
  await expect(perOwner.getByRole("row").filter({ hasText: "subnet lab-e2e" })).toContainText("1");
  await expect(perOwner.getByRole("row").filter({ hasText: readRunState().adminUsername })).toContainText(
    "1",
  );
  await expect(page.getByRole("region", { name: "Usage" })).toContainText("1 used · 236 free");

  // Editing what may change under running instances.
  await page.getByRole("button", { name: "Edit network" }).click();
  dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("DNS servers")).toHaveValue("1.1.1.1, 9.9.9.9");
  await dialog.getByLabel("DNS servers").fill("1.1.1.1, not-an-ip");
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog.getByText("Not an IPv4 address, e.g. 10.20.0.1.")).toBeVisible();
  await dialog.getByLabel("DNS servers").fill("10.231.0.53");
  await dialog.getByLabel("NAT to the outside").uncheck();
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("flash")).toContainText(`Network ${name} was updated.`);
  await expect(page.getByText("10.231.0.53")).toBeVisible();
  await screenshot(page, "networks-05-detail");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "networks-06-detail-narrow");
  await page.setViewportSize({ width: 1280, height: 720 });

  // In use: deleting is refused with the server's reason.
  await page.getByRole("link", { name: "Back to networks" }).click();
  await expect(row).toContainText("1 used · 236 free");
  await expect(row).toContainText("16 in subnets");
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete network" }).click();
  await expect(page.getByTestId("flash")).toContainText(`${name} still has 2 addresses in use`);
  await expect(row).toBeVisible();
  await screenshot(page, "networks-07-delete-refused");

  // The IP usage report.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export IP usage (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^ip-usage-\d{8}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv.split("\r\n")[0]).toBe(
    "network,cidr,ip,mac,kind,instance,owner,subnet_owner,label,allocated_at",
  );
  expect(csv).toContain(`${name},${CIDR},10.231.0.`);
  expect(csv).toContain("printer-room-12");

  // Empty it, then it may go.
  await row.getByRole("link", { name }).click();
  await address.getByRole("button", { name: "Release" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Release address" }).click();
  await expect(address).toHaveCount(0);
  await inSubnet.getByRole("button", { name: "Release" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Release address" }).click();
  await expect(inSubnet).toHaveCount(0);
  await subnet.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete subnet" }).click();
  await expect(subnet).toHaveCount(0);
  await page.getByRole("link", { name: "Back to networks" }).click();
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete network" }).click();
  await expect(page.getByTestId("flash")).toContainText(`Network ${name} was deleted`);
  await expect(row).toHaveCount(0);
});

test("a plain user sees no Networks item and is not allowed on the networks page", async ({ page }) => {
  const student = uniqueName("student");
  const created = await page.request.post("/api/trpc/users.create", {
    data: {
      json: {
        username: student,
        displayName: "Student",
        password: "student-password-1",
        role: "user",
        groupIds: [],
      },
    },
  });
  expect(created.ok()).toBe(true);
  await signOut(page);

  await signInAndWaitForDashboard(page, student, "student-password-1");
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  await expect(nav.getByRole("link", { name: "Instances", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Networks", exact: true })).toHaveCount(0);
  await page.goto("/admin/networks");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await page.goto("/admin/networks/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await screenshot(page, "networks-08-user-not-allowed");
});

test("an instance launched on a network shows its IPAM address, and a port forward added in the page reaches its web server", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const { agentNetns, ownsPortal } = readRunState();
  // Against an installed portal its agent would build the network on that machine: only our own.
  test.skip(!ownsPortal, "launches an instance on a network: only with the run's own portal and agent");
  expect(agentNetns, "the e2e agent runs its VM networks in a namespace of the run").toBeTruthy();
  // The network is made through the API; the first test covers the forms.
  const net = (await callTrpc(
    page.request,
    "networks.create",
    { name: uniqueName("e2e-net-vm"), cidr: "10.232.0.0/24", nat: false },
    "mutation",
  )) as { id: string; name: string; gateway: string };
  await page.goto("/instances");
  await page.getByRole("button", { name: "Launch instance" }).click();
  const dialog = page.getByRole("dialog");
  const name = uniqueName("netvm");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Image").selectOption({ label: "eduCloud test guest" });
  await dialog.getByLabel("Flavor").selectOption({ index: 1 });
  await dialog.getByLabel("Network").selectOption({ label: `${net.name} (10.232.0.0/24)` });
  await dialog.getByRole("button", { name: "Launch", exact: true }).click();
  const row = page.getByTestId("instance-row").filter({ hasText: name });
  await expect(row.getByTestId("instance-state")).toHaveText("Running", { timeout: 150_000 });

  await row.getByRole("link", { name }).click();
  const nic = page.getByTestId("nic-row");
  await expect(nic).toContainText("10.232.0.2");
  await expect(nic).toContainText(net.name);
  await expect(nic).toContainText(/[0-9a-f][26ae](:[0-9a-f]{2}){5}/);

  const hostPort = 20000 + Math.floor(Math.random() * 9000);
  await page.getByRole("button", { name: "Add port forward" }).click();
  const add = page.getByRole("dialog");
  await add.getByLabel("Host port").fill(String(hostPort));
  await add.getByLabel("Instance port").fill("80");
  await add.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("forward-address")).toHaveText(`e2e-host:${hostPort}`);
  await screenshot(page, "networks-09-instance-network");

  // From the agent's namespace, the host's own address on the bridge leads through the forward to
  // the guest's web server (which serves its DHCP host name: the instance's name).
  await expect
    .poll(
      () => {
        try {
          return execFileSync("ip", [
            "netns",
            "exec",
            agentNetns!,
            "timeout",
            "8",
            "busybox",
            "wget",
            "-q",
            "-O-",
            `http://${net.gateway}:${hostPort}/`,
          ]).toString();
        } catch {
          return "";
        }
      },
      { timeout: 90_000, intervals: [1000] },
    )
    .toContain(`educloud-test-guest ${name}`);

  await page.getByRole("link", { name: "Back to instances" }).click();
  await row.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete instance" }).click();
  await expect(row).toHaveCount(0, { timeout: 90_000 });
});
