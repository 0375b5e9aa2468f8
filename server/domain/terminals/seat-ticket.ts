// A seat terminal's screen without a browser: its native client asks, with a signed request, for a console
// ticket of the seat's desktop — bound to the terminal, with no student (authorize-console.ts checks the
// seat again when the ticket is used).
import type { Redis } from "ioredis";
import { msg } from "@/common/message";
import type { TerminalRow } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { storeConsoleTicket } from "../consoles/console-tickets";
import type { DomainSettings } from "../context";
import { DomainError } from "../errors";
import { desktopShownBy } from "./load-terminal";

export async function issueSeatTicket(
  deps: { db: Database; redis: Redis; settings: DomainSettings },
  terminal: TerminalRow,
): Promise<{ ticket: string; path: string }> {
  if (!terminal.seatInstanceId) throw new DomainError("CONFLICT", msg("kiosk.signInFirst"));
  const shown = await desktopShownBy(deps.db, terminal);
  if (!shown) throw new DomainError("CONFLICT", msg("kiosk.noDesktop"));
  if (shown.state !== "RUNNING")
    throw new DomainError("CONFLICT", msg("instances.startForConsole", { state: shown.state }));
  const ticket = await storeConsoleTicket(
    { redis: deps.redis, prefix: deps.settings.redisPrefix, key: deps.settings.consoleTicketKey },
    { userId: null, instanceId: shown.id, kind: "vnc", terminalId: terminal.id },
  );
  return { ticket, path: `/console/vnc/${shown.id}` };
}
