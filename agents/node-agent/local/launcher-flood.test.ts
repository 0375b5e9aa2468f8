// Issue 14's review: a flood of visits to a lab PC's launcher (anyone at the PC, or any web page its
// browser opens: such a page may send requests to 127.0.0.1 without reading the answers) cost a portal
// request per page view, forwarded every sign-in (locking the PC's one address out at the portal),
// read bodies to the limit and could push the signed-in person's visit out. Each is bounded now.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalProfile, LocalProfilesResponse } from "../../protocol/local";
import { sharedFor, TokenBucket, type LauncherLimits } from "./flood-limits";
import { startLauncher } from "./launcher-server";
import type { LocalDesktop } from "./local-desktop";
import type { LocalPortalClient } from "./portal-client";

const profile: LocalProfile = {
  id: 7,
  name: "Office",
  description: "",
  public: true,
  version: 1,
  image: {
    id: "00000000-0000-4000-8000-000000000000",
    sha256: "a".repeat(64),
    format: "qcow2",
    sizeBytes: 1,
  },
  vcpus: 1,
  memoryMiB: 512,
  diskGiB: 1,
  hardware: {
    firmware: "bios",
    diskBus: "virtio",
    nicModel: "virtio",
    usbTablet: true,
    keyboardLayout: "en-us",
  },
};

/** A portal that counts what it is asked (and answers after `delayMs`). */
function fakePortal(delayMs = 20) {
  const calls = { list: 0, signIn: 0 };
  const portal = {
    async listProfiles(login?: { username: string; password: string }): Promise<LocalProfilesResponse> {
      if (login) calls.signIn++;
      else calls.list++;
      await new Promise((r) => setTimeout(r, delayMs));
      return login
        ? { profiles: [profile], user: { id: 5, username: login.username, ticket: "t".repeat(40) } }
        : ({ profiles: [profile] } as LocalProfilesResponse);
    },
    async reportUsage() {},
  };
  return { calls, portal: portal as unknown as LocalPortalClient };
}

/** A desktop whose start takes as long as the test wants (it never ends on its own). */
function fakeDesktop() {
  let starting = false;
  let finish: () => void = () => undefined;
  const calls = { start: 0 };
  const desktop = {
    current: () => null,
    busy: () => starting,
    start: () => {
      calls.start++;
      starting = true;
      return new Promise<void>((r) => (finish = r)).finally(() => (starting = false));
    },
    stop: async () => undefined,
  };
  return { calls, desktop: desktop as unknown as LocalDesktop, finish: () => finish() };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function launcherWith(limits: Partial<LauncherLimits>, portalDelayMs?: number) {
  const dir = await mkdtemp(join(tmpdir(), "launcher-flood-"));
  const portal = fakePortal(portalDelayMs);
  const desktop = fakeDesktop();
  const launcher = await startLauncher({
    stateDir: dir,
    listen: { host: "127.0.0.1", port: 0 },
    portal: portal.portal,
    desktop: desktop.desktop,
    log: pino({ level: "silent" }),
    limits,
  });
  closers.push(async () => {
    desktop.finish();
    await launcher.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { launcher, portal, desktop };
}

/** A browser at the PC: keeps the launcher's cookie and posts forms with the page's token. */
function browser(base: string) {
  let cookie = "";
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      cookie = [...cookie.split("; ").filter((p) => p && !p.startsWith(`${pair.split("=")[0]}=`)), pair].join(
        "; ",
      );
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
  };
}

const roomy = { requestsPerSecond: 1000, requestBurst: 1000, maxConcurrent: 1000 };

describe("a flood of visits to the launcher", () => {
  it("asks the portal for the public profiles once per period, however many pages are viewed at once", async () => {
    const { launcher, portal } = await launcherWith({ ...roomy, profilesFreshMs: 60_000 }, 50);
    const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(`${launcher.url}/`)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 50; i++) await fetch(`${launcher.url}/`);
    expect(portal.calls.list).toBe(1);
  });

  it("answers at most maxConcurrent requests at once and refuses the rest at once (503)", async () => {
    // The portal is slow (2 s): requests pile up on it.
    const { launcher } = await launcherWith(
      { requestsPerSecond: 1000, requestBurst: 1000, maxConcurrent: 4, profilesFreshMs: 0 },
      2000,
    );
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () => fetch(`${launcher.url}/`).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(36);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses requests beyond the rate with 429", async () => {
    const { launcher } = await launcherWith({ requestsPerSecond: 1, requestBurst: 10, maxConcurrent: 100 });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await fetch(`${launcher.url}/status`)).status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(11);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(19);
  });

  it("forwards only a few sign-ins to the portal, and says why to the others", async () => {
    const { launcher, portal } = await launcherWith({ ...roomy, signInBurst: 3, signInEverySeconds: 60 });
    const pc = browser(launcher.url);
    for (let i = 0; i < 15; i++) await pc.post("/signin", { username: `u${i}`, password: "wrong" });
    expect(portal.calls.signIn).toBe(3);
    expect(await pc.page()).toContain("Too many sign-in attempts at this PC");
  });

  it("starts one desktop while one starts, however many Starts are pressed", async () => {
    const { launcher, desktop } = await launcherWith(roomy);
    const pcs = Array.from({ length: 5 }, () => browser(launcher.url));
    await Promise.all(pcs.map((pc) => pc.post("/start", { profileId: String(profile.id) })));
    for (const pc of pcs) await pc.post("/start", { profileId: String(profile.id) });
    expect(desktop.calls.start).toBe(1);
  });

  it("refuses a body over the cap without reading it, and closes the connection", async () => {
    const { launcher } = await launcherWith(roomy);
    const started = Date.now();
    const res = await fetch(`${launcher.url}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "x".repeat(1024 * 1024),
    }).catch(() => null);
    // Either the 413 arrives or the connection is cut mid-upload; never a page.
    if (res) expect(res.status).toBe(413);
    // At once: the launcher does not wait for (nor read) the rest of the megabyte.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("keeps the signed-in person's visit while cookie-less visits flood in", async () => {
    const { launcher } = await launcherWith(roomy);
    const pc = browser(launcher.url);
    await pc.post("/signin", { username: "student", password: "pw" });
    expect(await pc.page()).toContain("student");
    for (let i = 0; i < 300; i++) await fetch(`${launcher.url}/`);
    expect(await pc.page()).toContain('action="/signout"');
  });
});

describe("the limits' parts", () => {
  it("a token bucket gives its burst, then refills at its rate", () => {
    let now = 0;
    const b = new TokenBucket(3, 2, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now += 500; // one token back at 2/s
    expect([b.take(), b.take()]).toEqual([true, false]);
    now += 60_000; // never more than the burst
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });

  it("a shared answer is reused while fresh, failures too, and asked again after", async () => {
    let now = 0;
    let calls = 0;
    let fail = true;
    const get = sharedFor(
      async () => {
        calls++;
        if (fail) throw new Error("down");
        return calls;
      },
      1000,
      () => now,
    );
    await Promise.all([get(), get(), get()].map((p) => p.catch(() => "x")));
    await expect(get()).rejects.toThrow("down");
    expect(calls).toBe(1);
    fail = false;
    now += 1001;
    await expect(get()).resolves.toBe(2);
    await expect(get()).resolves.toBe(2);
    expect(calls).toBe(2);
  });
});
