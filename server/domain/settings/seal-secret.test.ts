import { describe, expect, it } from "vitest";
import { deriveSettingsSealKey, sealSecret, unsealSecret } from "./seal-secret";

describe("sealed settings secrets", () => {
  const key = deriveSettingsSealKey("a-portal-secret-a-portal-secret-32");
  it("keeps no trace of the password in what is stored, and gives it back with the key", () => {
    const stored = sealSecret("smtp-pass-Ωmega", key);
    expect(stored).not.toContain("smtp-pass");
    expect(sealSecret("smtp-pass-Ωmega", key)).not.toBe(stored); // a fresh nonce each time
    expect(unsealSecret(stored, key)).toBe("smtp-pass-Ωmega");
  });
  it("refuses another portal's key, an altered value, and a value that was never sealed", () => {
    const stored = sealSecret("pw", key);
    expect(() => unsealSecret(stored, deriveSettingsSealKey("another-secret-another-secret-32"))).toThrow();
    expect(() => unsealSecret(stored.slice(0, -2) + "AA", key)).toThrow();
    expect(() => unsealSecret("pw", key)).toThrow(/not sealed/);
  });
});
