import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startConsoleBridge } from "./start-console-bridge";
import { openConsole } from "./testing/open-console";

// The portal is unreachable here (port 9 on loopback): the bridge must start anyway and say 503.
const creds = {
  hostId: randomUUID(),
  hostSecret: randomBytes(32).toString("base64url"),
  portalUrl: "http://127.0.0.1:9",
};
const log = pino({ level: "silent" });
// Loopback, any free port: the agent's fixed default (7901) would clash with another run on this machine.
const ANY_PORT = { host: "127.0.0.1", port: 0 };
// No VMs: these tests never get past the key.
const consoles = { consoleEndpoint: async () => null };

describe("startConsoleBridge", () => {
  it("listens on loopback, advertises that address, and refuses consoles until the portal's key is known", async () => {
    const bridge = await startConsoleBridge({ creds, consoles, log, listen: ANY_PORT });
    try {
      expect(bridge.server.listening.host).toBe("127.0.0.1");
      expect(bridge.consoleUrl).toBe(bridge.server.url);
      expect(await openConsole(bridge.consoleUrl, "x.y")).toMatchObject({
        ok: false,
        status: 503,
        refusal: "no-key",
      });
    } finally {
      await bridge.stop();
    }
  });

  it("advertises the configured URL (without a trailing slash) and refuses one that is not ws://", async () => {
    const bridge = await startConsoleBridge({
      creds,
      consoles,
      log,
      listen: ANY_PORT,
      advertiseUrl: "ws://node7.lab:7901/",
    });
    await bridge.stop();
    expect(bridge.consoleUrl).toBe("ws://node7.lab:7901");
    await expect(
      startConsoleBridge({ creds, consoles, log, listen: ANY_PORT, advertiseUrl: "http://node7:7901" }),
    ).rejects.toThrow(/EDUCLOUD_AGENT_CONSOLE_URL/);
  });

  it("explains a listen address that is taken", async () => {
    const first = await startConsoleBridge({ creds, consoles, log, listen: ANY_PORT });
    try {
      await expect(
        startConsoleBridge({ creds, consoles, log, listen: first.server.listening }),
      ).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ .*EADDRINUSE.*EDUCLOUD_AGENT_CONSOLE_LISTEN/);
    } finally {
      await first.stop();
    }
  });
});
