// Local mode on the real parts (issue 14's "Must show"): an X server (Xvfb on :99 with a kiosk's window
// manager, both started and killed here), the agent's local mode (launcher + QEMU with a full-screen GTK window, the test guest), the
// portal's real route handlers on MariaDB. A person at the PC opens the launcher anonymously, starts the
// public profile, and the X screen shows the guest's console; Stop leaves nothing; a guest powering
// off ends the run; with the portal stopped, the kept profile still starts and its usage arrives once
// the portal is back. The launcher refuses anything but loopback.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QemuDriver } from "@/agents/node-agent/drivers/qemu/qemu-driver";
import { BANNER, waitForSerialLog } from "@/agents/node-agent/drivers/qemu/testing/serial-log";
import { ImageCache } from "@/agents/node-agent/image-cache";
import { refuseUnlessLoopback, startLauncher } from "@/agents/node-agent/local/launcher-server";
import { LocalPortalClient } from "@/agents/node-agent/local/portal-client";
import { startLocalMode } from "@/agents/node-agent/local/start-local-mode";
import { runOnGuest } from "@/agents/node-agent/network/testing/guest-shell";

const run = promisify(execFile);
const storeDir = await mkdtemp(join(tmpdir(), "educloud-localmode-store-"));
process.env.IMAGE_STORE_DIR = storeDir; // read by the routes' settings, imported below

const { localSessions } = await import("@/db/schema");
const { FIXTURE_PASSWORD, makeFlavor, makeGroup, makeUser, openTestServices } =
  await import("@/server/testing/fixtures");
const { makeProfile } = await import("@/server/testing/lab-fixtures");
const { importTestGuest, makeLocalHost } = await import("@/server/testing/local-fixtures");
const { serveRoutes } = await import("@/server/testing/serve-route");
const imageRoute = await import("@/app/api/v1/agent/images/[id]/content/route");
const profilesRoute = await import("@/app/api/v1/agent/local/profiles/route");
const usageRoute = await import("@/app/api/v1/agent/local/usage/route");

const DISPLAY = ":99";
const SCREEN_SHOT = resolve("var/test-artifacts/local-mode-screen.png");
const s = openTestServices();
let xvfb: ChildProcess;
let windowManager: ChildProcess;
let stateDir: string;
let pc: Awaited<ReturnType<typeof makeLocalHost>>;
let profileId: number;
let profileName: string;
let groupProfileId: number;
let groupProfileName: string;
let student: Awaited<ReturnType<typeof makeUser>>;
let portal: { url: string; close(): Promise<void> };
let portalPort: number;
let local: Awaited<ReturnType<typeof startLocalMode>>;
let driver: QemuDriver;

const servePortal = (port = 0) =>
  serveRoutes(
    [
      { pattern: "/api/v1/agent/images/:id/content", handler: imageRoute.GET as never },
      { pattern: "/api/v1/agent/local/profiles", handler: profilesRoute.POST as never },
      { pattern: "/api/v1/agent/local/usage", handler: usageRoute.POST as never },
    ],
    port,
  );

const bootLocalMode = () => {
  const creds = { hostId: pc.hostId, hostSecret: pc.hostSecret, portalUrl: portal.url };
  return startLocalMode({
    stateDir,
    creds,
    settings: { display: { x11Display: DISPLAY }, listen: { host: "127.0.0.1", port: 0 } },
    driver,
    images: new ImageCache(join(stateDir, "images"), creds, { imagesInUse: () => driver.baseImagesInUse() }),
    log: pino({ level: "silent" }),
    watchMs: 500,
    reportEveryMs: 1_000,
    portalTimeoutMs: 2_000,
  });
};

/** A browser at the PC: keeps the launcher's cookie, posts its forms with the page's token. */
function browser(base: string) {
  let cookie = "";
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      const name = pair.split("=")[0]!;
      cookie = [...cookie.split("; ").filter((p) => p && !p.startsWith(`${name}=`)), pair].join("; ");
    }
  };
  const page = async () => {
    const res = await fetch(`${base}/`, { headers: { cookie } });
    keep(res);
    return res.text();
  };
  return {
    page,
    async post(path: string, fields: Record<string, string>) {
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page())![1]!;
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
        redirect: "manual",
      });
      keep(res);
      return res.status;
    },
    async status(): Promise<{ running: { vmId: string } | null; starting: boolean }> {
      return (await fetch(`${base}/status`)).json() as never;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The X screen as PNG (ImageMagick's import) and the share of its pixels that are lit. */
async function screen(save?: string): Promise<number> {
  const file = save ?? join(stateDir, "screen.png");
  await run("import", ["-display", DISPLAY, "-window", "root", file]);
  const { stdout } = await run("convert", [
    file,
    "-colorspace",
    "gray",
    "-threshold",
    "40%",
    "-format",
    "%[fx:mean]",
    "info:",
  ]);
  return Number(stdout.trim());
}

const isLive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};
const qemuAlive = async (vmId: string) => (await driver.status(vmId))?.state === "running";
const links = async () =>
  (await run("ip", ["-o", "link"])).stdout
    .split("\n")
    .map((l) => l.split(":")[1]?.trim())
    .sort();
const usageRow = async (hostId: string) =>
  s.db.select().from(localSessions).where(eq(localSessions.hostId, hostId));

beforeAll(async () => {
  xvfb = spawn("Xvfb", [DISPLAY, "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-br"], {
    stdio: "ignore",
  });
  await until("Xvfb", async () => existsSync(`/tmp/.X11-unix/X${DISPLAY.slice(1)}`), 20_000);
  // A kiosk session's window manager (full screen is the window manager's to grant).
  windowManager = spawn("matchbox-window-manager", ["-use_titlebar", "no"], {
    stdio: "ignore",
    env: { ...process.env, DISPLAY },
  });
  pc = await makeLocalHost(s);
  const flavorId = await makeFlavor(s, { vcpus: 1, memoryMiB: 128, diskGiB: 1 });
  const imageId = await importTestGuest(s, storeDir, "public");
  profileId = (await makeProfile(s, { groupId: null, imageId, flavorId })).profileId;
  profileName = (await s.db.query.profiles.findFirst({ where: (p, { eq: e }) => e(p.id, profileId) }))!.name;
  // A class's own profile on an image of the class (not public): only its students, only signed in.
  const group = await makeGroup(s);
  student = await makeUser(s, "user", [group]);
  const groupImage = await importTestGuest(s, storeDir, "group");
  groupProfileId = (await makeProfile(s, { groupId: group, imageId: groupImage, flavorId })).profileId;
  groupProfileName = (await s.db.query.profiles.findFirst({
    where: (p, { eq: e }) => e(p.id, groupProfileId),
  }))!.name;
  // Short: QEMU's unix sockets live under it (107-byte limit).
  stateDir = await mkdtemp("/tmp/ecl-");
  // QEMU runs as an unprivileged user, as in production ("nobody" exists everywhere).
  driver = new QemuDriver({ stateDir, runAs: "nobody" });
  portal = await servePortal();
  portalPort = Number(new URL(portal.url).port);
  local = await bootLocalMode();
}, 180_000);

afterAll(async () => {
  await local?.stop({ stopDesktop: true }).catch(() => undefined);
  for (const vm of (await driver?.list().catch(() => [])) ?? [])
    await driver.delete(vm.id).catch(() => undefined);
  await portal?.close().catch(() => undefined);
  windowManager?.kill("SIGTERM");
  xvfb?.kill("SIGTERM");
  await s.close();
  await rm(storeDir, { recursive: true, force: true });
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe("local mode on a lab PC's screen", () => {
  it("anonymous: lists the public profile and runs it full screen on the PC's display", async () => {
    expect(await screen()).toBe(0); // nothing on the screen yet (black root window)
    const at = browser(local.url);
    const html = await at.page();
    expect(html).toContain(profileName);
    expect(await at.post("/start", { profileId: String(profileId) })).toBe(303);
    const running = await until("the desktop to run", async () => (await at.status()).running);
    // The guest's console: BIOS, boot loader and kernel lines, drawn in QEMU's window on display :99.
    const lit = await until(
      "the guest's console on the X screen",
      async () => {
        const share = await screen();
        return share > 0.003 ? share : null;
      },
      120_000,
    );
    await mkdir(resolve("var/test-artifacts"), { recursive: true });
    await copyFile(join(stateDir, "screen.png"), SCREEN_SHOT);
    expect(lit).toBeLessThan(0.5); // text on a dark screen, not a white window
    // Full screen: QEMU's window covers the whole 1024x768 screen.
    const { stdout: tree } = await run("xwininfo", ["-display", DISPLAY, "-root", "-tree"]);
    expect(tree, tree).toMatch(/"QEMU \([^\n]*\s1024x768\+0\+0/);
    expect(await qemuAlive(running.vmId)).toBe(true);
    // Its usage reached the portal: this PC runs this profile, anonymously.
    const rows = await until("the usage report", async () => {
      const r = await usageRow(pc.hostId);
      return r.length === 1 ? r : null;
    });
    expect(rows[0]).toMatchObject({ profileId, userId: null, endedAt: null });
  }, 240_000);

  it("Stop leaves nothing behind: no QEMU, no overlay, no run directory, no new interface", async () => {
    const at = browser(local.url);
    const { running } = await at.status();
    const vmId = running!.vmId;
    const pid = (await driver.status(vmId))?.pid;
    expect(pid).toBeGreaterThan(0);
    const before = await links();
    expect(await at.post("/stop", {})).toBe(303);
    expect((await at.status()).running).toBeNull();
    // Gone (or a zombie for the moment until its parent, this process, reaps it).
    await until("QEMU to exit", async () => !isLive(pid!), 10_000);
    expect(existsSync(join(stateDir, "vms", vmId))).toBe(false);
    expect((await readdir(join(stateDir, "vms")).catch(() => [])).length).toBe(0);
    expect(await links()).toEqual(before);
    expect(await screen()).toBe(0); // QEMU's window is gone from the screen
    await until("the run's end at the portal", async () => (await usageRow(pc.hostId))[0]?.endedAt);
  }, 120_000);

  it("a guest that powers itself off ends the run the same way", async () => {
    const at = browser(local.url);
    expect(await at.post("/start", { profileId: String(profileId) })).toBe(303);
    const { vmId } = await until("the desktop to run", async () => (await at.status()).running);
    const dir = join(stateDir, "vms", vmId);
    await waitForSerialLog(join(dir, "serial.log"), (log) => log.includes(BANNER), 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    await runOnGuest(
      { serialSocket: join(dir, "run", "serial.sock"), serialLog: join(dir, "serial.log") },
      "poweroff -f",
      10_000,
    ).catch(() => undefined);
    await until("the run to end", async () => (await at.status()).running === null, 60_000);
    expect(existsSync(dir)).toBe(false);
  }, 240_000);

  it("with the portal stopped, the kept public profile still starts; its usage arrives when the portal is back", async () => {
    await local.stop({ stopDesktop: true });
    await portal.close();
    local = await bootLocalMode(); // a fresh launcher: the profile comes from the disk, not memory
    const at = browser(local.url);
    const html = await at.page();
    expect(html).toContain(profileName);
    expect(html).toContain("cannot be reached");
    expect(await at.post("/start", { profileId: String(profileId) })).toBe(303);
    const { vmId } = await until("the desktop to run offline", async () => (await at.status()).running);
    await until("the guest on the screen", async () => (await screen()) > 0.003);
    // Signing in needs the portal: refused with a clear message, the desktop keeps running.
    expect(await at.post("/signin", { username: "someone", password: "x" })).toBe(303);
    expect(await at.page()).toContain("Signing in needs the eduCloud portal");
    expect(await at.post("/stop", {})).toBe(303);
    expect(existsSync(join(stateDir, "vms", vmId))).toBe(false);
    const queued = await readdir(join(stateDir, "local", "usage"));
    expect(queued.length).toBe(1);
    expect((await usageRow(pc.hostId)).length).toBe(2); // the two earlier runs only

    portal = await servePortal(portalPort);
    await local.reportUsage();
    const rows = await usageRow(pc.hostId);
    expect(rows.length).toBe(3);
    expect(rows.every((r) => r.endedAt !== null && r.userId === null)).toBe(true);
    expect(await readdir(join(stateDir, "local", "usage"))).toEqual([]);
  }, 240_000);
});

describe("signing in at the launcher", () => {
  it("offers a student their class's profile only after the portal checked the password, and runs it as theirs", async () => {
    const at = browser(local.url);
    expect(await at.page()).not.toContain(groupProfileName);
    // Asking for it anonymously is refused: it is not on this visitor's list.
    expect(await at.post("/start", { profileId: String(groupProfileId) })).toBe(303);
    expect(await at.page()).toContain("not offered here");
    expect((await at.status()).running).toBeNull();

    expect(await at.post("/signin", { username: student.username, password: "wrong" })).toBe(303);
    expect(await at.page()).toContain("Wrong username or password");
    expect(await at.post("/signin", { username: student.username, password: FIXTURE_PASSWORD })).toBe(303);
    const html = await at.page();
    expect(html).toContain(`Signed in as ${student.username}`);
    expect(html).toContain(groupProfileName);
    // Another visitor at the same launcher (another browser profile) is still anonymous.
    expect(await browser(local.url).page()).not.toContain(groupProfileName);

    const before = (await usageRow(pc.hostId)).length;
    // The class's image is fetched with the portal's ticket for this PC (no public profile uses it).
    expect(await at.post("/start", { profileId: String(groupProfileId) })).toBe(303);
    await until("the class's desktop to run", async () => (await at.status()).running);
    const mine = await until("its usage, on the student's account", async () => {
      const rows = await usageRow(pc.hostId);
      return rows.length > before ? rows.find((r) => r.profileId === groupProfileId) : null;
    });
    expect(mine.userId).toBe(student.id);
    expect(await at.post("/stop", {})).toBe(303);
    // The run's end signs the student out: the next person at the PC starts anonymous.
    const after = await at.page();
    expect(after).not.toContain(`Signed in as ${student.username}`);
    expect(after).not.toContain(groupProfileName);
  }, 240_000);
});

describe("the launcher is for this PC only", () => {
  it("will not listen anywhere but loopback", async () => {
    await expect(
      startLauncher({
        stateDir,
        listen: { host: "0.0.0.0", port: 0 },
        portal: null as never,
        desktop: null as never,
        log: pino({ level: "silent" }),
      }),
    ).rejects.toThrow(/loopback only/);
  });

  it("refuses a connection from another address, whatever its headers say", async () => {
    // The launcher's own check, on a server reachable from a non-loopback address of this machine.
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      if (!refuseUnlessLoopback(req, res)) res.end("served");
    });
    await new Promise<void>((r) => server.listen(0, "0.0.0.0", () => r()));
    const port = (server.address() as { port: number }).port;
    const ask = (host: string) =>
      new Promise<{ status: number | null; body: string }>((done) => {
        const req = request(
          { host, port, path: "/", headers: { host: `127.0.0.1:${port}`, "x-forwarded-for": "127.0.0.1" } },
          (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => done({ status: res.statusCode ?? null, body }));
          },
        );
        req.on("error", () => done({ status: null, body: "" }));
        req.end();
      });
    const { stdout } = await run("hostname", ["-I"]);
    const outside = stdout.split(/\s+/).find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127."));
    expect(outside, "this test needs a non-loopback IPv4 address on this machine").toBeDefined();
    expect(await ask("127.0.0.1")).toEqual({ status: 200, body: "served" });
    const refused = await ask(outside!);
    expect(refused.body).not.toBe("served");
    expect(refused.status === 403 || refused.status === null).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("tells the person at a PC outside a local desktops cluster that it offers nothing", async () => {
    const server = await makeLocalHost(s, { local: false });
    const dir = await mkdtemp("/tmp/ecl-");
    const launcher = await startLauncher({
      stateDir: dir,
      listen: { host: "127.0.0.1", port: 0 },
      portal: new LocalPortalClient({ ...server, portalUrl: portal.url }),
      desktop: local.desktop,
      log: pino({ level: "silent" }),
    });
    try {
      const html = await browser(launcher.url).page();
      expect(html).toContain("not in a local desktops cluster");
      expect(html).not.toContain(profileName);
    } finally {
      await launcher.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a page that reaches it under another name (DNS rebinding)", async () => {
    const port = Number(new URL(local.url).port);
    const status = await new Promise<number | undefined>((done) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/", headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          done(res.statusCode);
        },
      );
      req.end();
    });
    expect(status).toBe(421);
  });

  it("ignores a Start without the page's token (another web page cannot press it)", async () => {
    const res = await fetch(`${local.url}/start`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `profileId=${profileId}`,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await (await fetch(`${local.url}/status`)).json()) as unknown).toEqual({
      running: null,
      starting: false,
    });
  });
});
