import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { consoleSigningKeyFromSeed, exportVerifyKey } from "../../protocol/console-grant";
import { CONSOLE_KEY_PATH, hostAuthHeader } from "../../protocol/index";
import { consoleKeyUrl, watchConsoleKey, type ConsoleKeyWatcher } from "./console-key";

const hostId = randomUUID();
const hostSecret = randomBytes(32).toString("base64url");
const log = pino({ level: "silent" });
let server: Server | undefined;
let watcher: ConsoleKeyWatcher | undefined;

/** A portal whose key endpoint answers from `answers` in turn (the last one repeats). */
async function fakePortal(
  answers: (() => [number, unknown])[],
): Promise<{ url: string; requests: { path?: string; auth?: string }[] }> {
  const requests: { path?: string; auth?: string }[] = [];
  server = createServer((req, res) => {
    requests.push({ path: req.url, auth: req.headers.authorization });
    const [status, body] = answers[Math.min(requests.length - 1, answers.length - 1)]!();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

afterEach(async () => {
  watcher?.stop();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe("watchConsoleKey", () => {
  it("keeps asking while the portal is not ready, with the host's credentials, then holds the key", async () => {
    const spki = exportVerifyKey(consoleSigningKeyFromSeed(randomBytes(32)));
    const portal = await fakePortal([() => [503, {}], () => [200, { nope: 1 }], () => [200, { key: spki }]]);
    watcher = watchConsoleKey({ portalUrl: portal.url, hostId, hostSecret, log, retryMs: 20 });
    expect(watcher.get()).toBeNull();
    await expect.poll(() => watcher!.get(), { timeout: 3_000 }).not.toBeNull();
    expect(watcher.get()!.export({ format: "der", type: "spki" }).toString("base64url")).toBe(spki);
    expect(portal.requests).toHaveLength(3);
    expect(portal.requests[0]).toEqual({ path: CONSOLE_KEY_PATH, auth: hostAuthHeader(hostId, hostSecret) });
  });

  it("keeps the key it has when a refresh fails, and takes a rotated one", async () => {
    const [a, b] = [0, 1].map(() => exportVerifyKey(consoleSigningKeyFromSeed(randomBytes(32))));
    // The portal fails every refresh until the test rotates the key: no race with the poll below.
    let rotated = false;
    const portal = await fakePortal([
      () => [200, { key: a }],
      () => (rotated ? [200, { key: b }] : [500, {}]),
    ]);
    watcher = watchConsoleKey({ portalUrl: portal.url, hostId, hostSecret, log, retryMs: 20, refreshMs: 20 });
    const current = () => watcher!.get()?.export({ format: "der", type: "spki" }).toString("base64url");
    await expect.poll(current).toBe(a);
    await expect.poll(() => portal.requests.length).toBeGreaterThanOrEqual(3); // refreshes failed…
    expect(current()).toBe(a); // …and the key it had was kept
    rotated = true;
    await expect.poll(current).toBe(b);
  });

  it("joins the portal URL and the path with exactly one slash", () => {
    expect(consoleKeyUrl("http://portal:3000/")).toBe(`http://portal:3000${CONSOLE_KEY_PATH}`);
    expect(consoleKeyUrl("http://portal:3000")).toBe(`http://portal:3000${CONSOLE_KEY_PATH}`);
  });
});
