import { describe, expect, it } from "vitest";
import { closeReasonOf, consoleSocketUrl, textToKeys, XK_RETURN, XK_TAB } from "./console";

describe("consoleSocketUrl", () => {
  it("uses wss on https and ws on http, on the page's own host, with the ticket escaped", () => {
    expect(
      consoleSocketUrl({ protocol: "https:", host: "cloud.school.example" }, "/console/vnc/abc", "a+b/c"),
    ).toBe("wss://cloud.school.example/console/vnc/abc?ticket=a%2Bb%2Fc");
    expect(
      consoleSocketUrl({ protocol: "http:", host: "localhost:3000" }, "/console/serial/abc", "t_-1"),
    ).toBe("ws://localhost:3000/console/serial/abc?ticket=t_-1");
  });
});

describe("textToKeys", () => {
  it("maps printable ASCII to the keysym of the same code, with Shift where a US keyboard needs it", () => {
    const { keys, skipped } = textToKeys("aZ 1!~");
    expect(keys).toEqual([
      { keysym: 0x61, shift: false },
      { keysym: 0x5a, shift: true },
      { keysym: 0x20, shift: false },
      { keysym: 0x31, shift: false },
      { keysym: 0x21, shift: true },
      { keysym: 0x7e, shift: true },
    ]);
    expect(skipped).toBe(0);
  });

  it("types line breaks as Return (CR LF once) and tabs as Tab", () => {
    expect(textToKeys("a\nb\r\nc\rd\te").keys.map((k) => k.keysym)).toEqual([
      0x61,
      XK_RETURN,
      0x62,
      XK_RETURN,
      0x63,
      XK_RETURN,
      0x64,
      XK_TAB,
      0x65,
    ]);
  });

  it("skips what has no key and counts it", () => {
    const { keys, skipped } = textToKeys("é中😀x");
    expect(keys).toEqual([{ keysym: 0x78, shift: false }]);
    expect(skipped).toBe(3);
  });
});

describe("closeReasonOf", () => {
  it("keeps the server's text and treats an empty reason as none", () => {
    // The portal's coded reason: without a renderer (no page), its English text.
    expect(
      closeReasonOf({
        reason:
          '{"code":"consoles.idleClosed","params":{"minutes":15},"message":"Closed after 15 minutes without activity"}',
      }),
    ).toBe("Closed after 15 minutes without activity");
    expect(closeReasonOf({ reason: "Closed after 15 minutes without activity" })).toBe(
      "Closed after 15 minutes without activity",
    );
    expect(closeReasonOf({ reason: "  " })).toBeNull();
    expect(closeReasonOf(null)).toBeNull();
  });
});
