import { describe, expect, it } from "vitest";
import { imageTicketParts, localTicketKey, signLocalTicket, verifyLocalTicket } from "./local-tickets";

const key = localTicketKey("a-session-secret-of-the-portal-xxxxxxxxxx");
const parts = imageTicketParts("host-a", "image-1");

describe("local-desktop tickets", () => {
  it("holds for the host and image it was made for, until it expires", () => {
    const t = signLocalTicket(key, parts, 60, 1_000_000);
    expect(verifyLocalTicket(key, parts, t, 1_000_000)).toBe(true);
    expect(verifyLocalTicket(key, parts, t, 1_000_000 + 61_000)).toBe(false);
    expect(verifyLocalTicket(key, imageTicketParts("host-b", "image-1"), t, 1_000_000)).toBe(false);
    expect(verifyLocalTicket(key, imageTicketParts("host-a", "image-2"), t, 1_000_000)).toBe(false);
  });

  it("cannot be made without the portal's secret, nor stretched", () => {
    const other = localTicketKey("another-secret-xxxxxxxxxxxxxxxxxxxxxxxxxx");
    const t = signLocalTicket(other, parts, 60);
    expect(verifyLocalTicket(key, parts, t)).toBe(false);
    const real = signLocalTicket(key, parts, 60);
    const [exp, mac] = real.split(".");
    expect(verifyLocalTicket(key, parts, `${Number(exp) + 3600}.${mac}`)).toBe(false);
    for (const bad of [undefined, "", "x", "1.short", `${exp}.${mac}x`])
      expect(verifyLocalTicket(key, parts, bad)).toBe(false);
  });
});
