// What an approved terminal fetches at boot (and may poll): what to show, the one-time kiosk link to open
// in its browser, the keyboard layout, its lab, and a configuration a native VNC-over-WebSocket client
// could use instead of a browser. Every fetch records the terminal's contact and address.
import type { Redis } from "ioredis";
import { eq } from "drizzle-orm";
import { terminals, type TerminalRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { issueKioskLink, KIOSK_LINK_TTL_SECONDS } from "./kiosk-sessions";
import { labFacts } from "./load-terminal";

export const KIOSK_START_PATH = "/api/v1/kiosk/start";
export const TERMINAL_TICKET_PATH = "/api/v1/terminals/console-ticket";

export interface TerminalConfig {
  terminalId: string;
  name: string;
  state: "approved";
  show: "sign-in" | "seat";
  /** Opens the kiosk page bound to this terminal: once, within kioskUrlExpiresInSeconds. */
  kioskUrl: string;
  kioskUrlExpiresInSeconds: number;
  keyboardLayout: string;
  lab: { id: number; name: string } | null;
  native: {
    protocol: "rfb-over-websocket";
    subprotocol: "binary";
    /** POST, signed like this request: {ticket, path} for the seat's screen (seat terminals only). */
    ticketUrl: string | null;
    /** ws(s)://portal{path}?ticket=… — the seat's desktop; null: a sign-in terminal (students use the kiosk). */
    consolePath: string | null;
    keyboardLayout: string;
  };
}

export async function readTerminalConfig(
  deps: { db: Database; redis: Redis; redisPrefix: string },
  terminal: TerminalRow,
  from: { ip: string | null; origin: string },
): Promise<TerminalConfig> {
  await deps.db
    .update(terminals)
    .set({ lastContactAt: new Date(), lastIp: from.ip })
    .where(eq(terminals.id, terminal.id));
  const lab = await labFacts(deps.db, terminal.labId);
  const keyboardLayout = terminal.keyboardLayout ?? lab?.keyboardLayout ?? "en-us";
  const token = await issueKioskLink({ redis: deps.redis, prefix: deps.redisPrefix }, terminal.id);
  const seat = terminal.seatInstanceId;
  return {
    terminalId: terminal.id,
    name: terminal.name,
    state: "approved",
    show: seat ? "seat" : "sign-in",
    kioskUrl: `${from.origin}${KIOSK_START_PATH}?token=${token}`,
    kioskUrlExpiresInSeconds: KIOSK_LINK_TTL_SECONDS,
    keyboardLayout,
    lab: lab ? { id: lab.id, name: lab.name } : null,
    native: {
      protocol: "rfb-over-websocket",
      subprotocol: "binary",
      ticketUrl: seat ? `${from.origin}${TERMINAL_TICKET_PATH}` : null,
      consolePath: seat ? `/console/vnc/${seat}` : null,
      keyboardLayout,
    },
  };
}
