import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers";

const asMap = (h: [string, string][]) => new Map(h.map(([k, v]) => [k.toLowerCase(), v]));

describe("securityHeaders", () => {
  it("forbids framing, sniffing and foreign origins; lets the console's WebSocket through", () => {
    const h = asMap(securityHeaders({ production: true, portalOrigin: "https://cloud.school.example" }));
    const csp = h.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("connect-src 'self' wss://cloud.school.example");
    expect(csp).not.toContain("unsafe-eval");
    expect(h.get("x-frame-options")).toBe("DENY");
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("referrer-policy")).toBe("same-origin");
    expect(h.get("strict-transport-security")).toMatch(/max-age=\d+/);
  });

  it("over plain HTTP: ws:, and no HSTS", () => {
    const h = asMap(securityHeaders({ production: false, portalOrigin: "http://127.0.0.1:3000" }));
    expect(h.get("content-security-policy")).toContain("connect-src 'self' ws://127.0.0.1:3000");
    expect(h.has("strict-transport-security")).toBe(false);
  });
});
