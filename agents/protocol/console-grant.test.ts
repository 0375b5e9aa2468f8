import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  consoleSigningKeyFromSeed,
  exportVerifyKey,
  importVerifyKey,
  signConsoleGrant,
  verifyConsoleGrant,
} from "./console-grant";

const portalKey = consoleSigningKeyFromSeed(randomBytes(32));
const agentKey = importVerifyKey(exportVerifyKey(portalKey));
const hostId = randomUUID();
const grant = () => ({ hostId, instanceId: randomUUID(), kind: "vnc" as const, exp: Date.now() + 10_000 });

describe("console grants", () => {
  it("a grant signed by the portal verifies with the public key an agent holds", () => {
    const g = grant();
    const r = verifyConsoleGrant(signConsoleGrant(g, portalKey), agentKey, { hostId });
    expect(r).toMatchObject({ ok: true, grant: { instanceId: g.instanceId, kind: "vnc" } });
  });

  it("refuses a grant from another key, a tampered one, an expired one and one for another host", () => {
    const other = consoleSigningKeyFromSeed(randomBytes(32));
    expect(verifyConsoleGrant(signConsoleGrant(grant(), other), agentKey, { hostId })).toEqual({
      ok: false,
      reason: "bad-signature",
    });

    const token = signConsoleGrant(grant(), portalKey);
    const [body, sig] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), kind: "serial" }),
    ).toString("base64url");
    expect(verifyConsoleGrant(`${forged}.${sig}`, agentKey, { hostId })).toEqual({
      ok: false,
      reason: "bad-signature",
    });

    const expired = signConsoleGrant({ ...grant(), exp: Date.now() - 1 }, portalKey);
    expect(verifyConsoleGrant(expired, agentKey, { hostId })).toEqual({ ok: false, reason: "expired" });
    expect(verifyConsoleGrant(token, agentKey, { hostId: randomUUID() })).toEqual({
      ok: false,
      reason: "wrong-host",
    });
  });

  it("calls junk malformed instead of throwing", () => {
    for (const junk of ["", "a", "a.b.c", "%%%.%%%", `${"x".repeat(3000)}.y`]) {
      expect(verifyConsoleGrant(junk, agentKey, { hostId }).ok).toBe(false);
    }
  });

  it("gives every grant its own nonce", () => {
    const g = grant();
    const n = (t: string) => JSON.parse(Buffer.from(t.split(".")[0]!, "base64url").toString()).nonce;
    expect(n(signConsoleGrant(g, portalKey))).not.toBe(n(signConsoleGrant(g, portalKey)));
  });

  it("carries the thumbnail kind, signed like any other, and no kind it does not know", () => {
    const g = { ...grant(), kind: "thumbnail" as const };
    expect(verifyConsoleGrant(signConsoleGrant(g, portalKey), agentKey, { hostId })).toMatchObject({
      ok: true,
      grant: { kind: "thumbnail" },
    });
    expect(() => signConsoleGrant({ ...grant(), kind: "screen" as "vnc" }, portalKey)).toThrow();
  });
});
