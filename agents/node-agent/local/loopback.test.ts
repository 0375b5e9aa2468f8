import { describe, expect, it } from "vitest";
import { isLauncherHost, isLoopbackAddress } from "./loopback";
import { assertLoopbackListen, localModeFromEnv } from "./local-settings";

describe("who may reach the launcher", () => {
  it("takes loopback socket addresses only", () => {
    for (const a of ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of [
      "192.0.2.2",
      "::ffff:192.0.2.2",
      "10.0.2.2",
      "0.0.0.0",
      "::",
      "fe80::1",
      "",
      undefined,
      "128.0.0.1",
    ])
      expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it("answers only under its own loopback names (no DNS rebinding)", () => {
    expect(isLauncherHost("127.0.0.1:7902", 7902)).toBe(true);
    expect(isLauncherHost("LOCALHOST:7902", 7902)).toBe(true);
    expect(isLauncherHost("[::1]:7902", 7902)).toBe(true);
    expect(isLauncherHost("evil.example:7902", 7902)).toBe(false);
    expect(isLauncherHost("127.0.0.1:7903", 7902)).toBe(false);
    expect(isLauncherHost(undefined, 7902)).toBe(false);
  });
});

describe("local mode's settings", () => {
  it("is off unless asked for", () => {
    expect(localModeFromEnv({})).toBeNull();
    expect(localModeFromEnv({ EDUCLOUD_AGENT_LOCAL_MODE: "0" })).toBeNull();
  });

  it("defaults to display :0 and the launcher on 127.0.0.1:7902", () => {
    expect(localModeFromEnv({ EDUCLOUD_AGENT_LOCAL_MODE: "1" })).toEqual({
      display: { x11Display: ":0", xauthority: undefined },
      listen: { host: "127.0.0.1", port: 7902 },
    });
  });

  it("refuses a launcher address off loopback and a display on another machine", () => {
    expect(() =>
      localModeFromEnv({ EDUCLOUD_AGENT_LOCAL_MODE: "1", EDUCLOUD_AGENT_LOCAL_LISTEN: "0.0.0.0:7902" }),
    ).toThrow(/loopback only/);
    expect(() => assertLoopbackListen({ host: "192.0.2.2", port: 1 })).toThrow(/loopback only/);
    expect(() =>
      localModeFromEnv({ EDUCLOUD_AGENT_LOCAL_MODE: "1", EDUCLOUD_AGENT_LOCAL_DISPLAY: "evil.example:0" }),
    ).toThrow(/local X display/);
  });
});
