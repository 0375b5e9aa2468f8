// Pure helpers of the browser consoles: where the console WebSocket lives, and how pasted text becomes
// key presses on the graphical console.
import { renderWithCurrent } from "./render-message";

/** ws:// or wss:// on this same host, with the single-use ticket in the query string. */
export function consoleSocketUrl(
  location: Pick<Location, "protocol" | "host">,
  path: string,
  ticket: string,
): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}?ticket=${encodeURIComponent(ticket)}`;
}

export const XK_RETURN = 0xff0d;
export const XK_TAB = 0xff09;
export const XK_SHIFT_L = 0xffe1;

/** Characters typed with Shift on a US keyboard: the guest sees Shift held, whichever way the server maps keysyms. */
const SHIFTED = new Set('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ');

export interface TypedKey {
  keysym: number;
  shift: boolean;
}

/**
 * Printable ASCII (0x20–0x7e) maps to the keysym of the same number; a line break is Return and a tab
 * is Tab (CR LF counts once). Anything else has no key on a US keyboard and is skipped, and counted.
 */
export function textToKeys(text: string): { keys: TypedKey[]; skipped: number } {
  const keys: TypedKey[] = [];
  let skipped = 0;
  const chars = [...text];
  chars.forEach((ch, index) => {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\r") {
      if (chars[index + 1] !== "\n") keys.push({ keysym: XK_RETURN, shift: false });
    } else if (ch === "\n") {
      keys.push({ keysym: XK_RETURN, shift: false });
    } else if (ch === "\t") {
      keys.push({ keysym: XK_TAB, shift: false });
    } else if (code >= 0x20 && code <= 0x7e) {
      keys.push({ keysym: code, shift: SHIFTED.has(ch) });
    } else {
      skipped += 1;
    }
  });
  return { keys, skipped };
}

/** What the server sent as the close reason, or null when it gave none (a dropped connection, a refused upgrade). */
export function closeReasonOf(event: Pick<CloseEvent, "reason"> | null | undefined): string | null {
  const reason = event?.reason?.trim();
  if (!reason) return null;
  // The portal sends {code, params, message}: rendered in the reader's language (English as fallback).
  if (reason.startsWith("{")) {
    try {
      const m = JSON.parse(reason) as {
        code?: unknown;
        params?: Record<string, string | number>;
        message?: string;
      };
      if (typeof m.code === "string")
        return renderWithCurrent({ code: m.code, params: m.params }, m.message ?? m.code);
    } catch {
      /* not ours: shown as sent */
    }
  }
  return reason;
}
