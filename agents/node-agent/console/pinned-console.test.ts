import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chooseConsoleAddress, loadPinnedConsole, savePinnedConsole } from "./pinned-console";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the console address chosen at join", () => {
  it("port 0 becomes one free port, chosen now and kept, that the bridge can then listen on", async () => {
    const pinned = await chooseConsoleAddress({ listen: { host: "127.0.0.1", port: 0 } });
    expect(pinned.listen.port).toBeGreaterThan(0);
    expect(pinned.url).toBe(`ws://127.0.0.1:${pinned.listen.port}`);
    const server = createServer();
    await new Promise<void>((r) => server.listen(pinned.listen.port, "127.0.0.1", () => r()));
    await new Promise((r) => server.close(r));

    dir = await mkdtemp(join(tmpdir(), "pinned-console-"));
    await savePinnedConsole(dir, pinned);
    expect(await loadPinnedConsole(dir)).toEqual(pinned);
    expect((await stat(join(dir, "console.json"))).mode & 0o077).toBe(0);
  });

  it("sends the operator's URL as given, and refuses one the portal would refuse", async () => {
    const listen = { host: "0.0.0.0", port: 7901 };
    expect(await chooseConsoleAddress({ listen, advertiseUrl: "wss://node7.lab:7901/" })).toEqual({
      listen,
      url: "wss://node7.lab:7901",
    });
    for (const bad of ["http://node7:7901", "ws://node7:7901/x", "ws://u:p@node7:7901", "ws://node7"])
      await expect(chooseConsoleAddress({ listen, advertiseUrl: bad })).rejects.toThrow(
        /EDUCLOUD_AGENT_CONSOLE_URL/,
      );
  });

  it("a host that joined before addresses were pinned has none kept", async () => {
    dir = await mkdtemp(join(tmpdir(), "pinned-console-"));
    expect(await loadPinnedConsole(dir)).toBeNull();
  });
});
