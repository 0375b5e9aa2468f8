import { describe, expect, it } from "vitest";
import { actorNameOf } from "./actor-name";
import { bearerOf } from "./resolve-api-token";
import { hashSecret, mintToken, parseToken, secretMatches } from "./token-format";

describe("API token format", () => {
  it("mints ect_<16 hex>_<43 base64url> and keeps only the secret's SHA-256", () => {
    const a = mintToken();
    const b = mintToken();
    expect(a.token).toMatch(/^ect_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    const parsed = parseToken(a.token)!;
    expect(parsed.publicId).toBe(a.publicId);
    expect(a.secretHash).toBe(hashSecret(parsed.secret));
    expect(a.secretHash).not.toContain(parsed.secret);
  });

  it("reads a secret with underscores in it (base64url) as one piece", () => {
    const token = `ect_0123456789abcdef_${"_".repeat(43)}`;
    expect(parseToken(token)).toEqual({ publicId: "0123456789abcdef", secret: "_".repeat(43) });
  });

  it("refuses what is not one of ours", () => {
    for (const t of [
      "",
      "ect_",
      "ect_0123456789abcdef_short",
      "ghp_abc",
      `ect_0123456789ABCDEF_${"a".repeat(43)}`,
    ])
      expect(parseToken(t), t).toBeNull();
  });

  it("compares the secret against the stored hash", () => {
    const { token, secretHash } = mintToken();
    const { secret } = parseToken(token)!;
    expect(secretMatches(secret, secretHash)).toBe(true);
    expect(secretMatches(secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A"), secretHash)).toBe(false);
    expect(secretMatches(secret, "not hex")).toBe(false);
  });

  it("takes the token from a Bearer header only", () => {
    expect(bearerOf("Bearer ect_x")).toBe("ect_x");
    expect(bearerOf("bearer  ect_x ")).toBe("ect_x");
    expect(bearerOf("Basic dXNlcjpwYXNz")).toBeNull();
    expect(bearerOf(null)).toBeNull();
  });

  it("names a token's actor user!publicId within the audit column's 64 characters", () => {
    const token = { id: 1, publicId: "0123456789abcdef", readOnly: false };
    expect(actorNameOf({ username: "alice" })).toBe("alice");
    expect(actorNameOf({ username: "alice", token })).toBe("alice!0123456789abcdef");
    expect(actorNameOf({ username: "a".repeat(64), token })).toHaveLength(64);
  });
});
