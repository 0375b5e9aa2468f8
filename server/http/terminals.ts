// Thin-client terminals over HTTP (docs/labs.md "Terminals"): enrolment (open, rate-limited), the config
// an approved terminal fetches with its signed request, and a seat terminal's console ticket.
import { enrolTerminalInput } from "@/common/terminals";
import { issueSeatTicket } from "@/server/domain/terminals/seat-ticket";
import { enrolTerminal } from "@/server/domain/terminals/enrol-terminal";
import { loadTerminal } from "@/server/domain/terminals/load-terminal";
import { readTerminalConfig } from "@/server/domain/terminals/terminal-config";
import { defineHandler, TARGET_HEADER } from "./handler";

const noStore = { "cache-control": "no-store" };

/** POST /api/v1/terminals/enrol {mac, name?} → 201 {terminalId, secret, state: "pending"} (the secret only here). */
export const enrolTerminalRoute = defineHandler({
  resource: "terminals",
  action: "enrol",
  credentials: "none",
  body: enrolTerminalInput,
  headers: noStore,
  audit: { actorName: (_c, _ok, body) => `terminal:${body?.mac ?? "?"}` },
  async handle({ body, services: { db, redis, settings }, ip }) {
    const out = await enrolTerminal(
      { db, redis, redisPrefix: settings.redisPrefix, terminalKey: settings.terminalKey },
      body,
      ip,
    );
    return Response.json(out, { status: 201, headers: { [TARGET_HEADER]: out.terminalId } });
  },
});

const terminalOf = (caller: { kind: string; terminalId?: string }) =>
  caller.kind === "terminal" ? caller.terminalId! : "";

/** GET /api/v1/terminals/config (signed) → what to show, a one-time kiosk link, keyboard, lab, native config. */
export const terminalConfigRoute = defineHandler({
  resource: "terminals",
  action: "config",
  credentials: "terminal",
  headers: noStore,
  async handle({ caller, services: { db, redis, settings }, ip }) {
    const terminal = await loadTerminal(db, terminalOf(caller));
    return Response.json(
      await readTerminalConfig({ db, redis, redisPrefix: settings.redisPrefix }, terminal, {
        ip,
        origin: settings.portalOrigin,
      }),
    );
  },
});

/** POST /api/v1/terminals/console-ticket (signed; seat terminals) → {ticket, path} for a native client. */
export const terminalConsoleTicketRoute = defineHandler({
  resource: "terminals",
  action: "consoleTicket",
  credentials: "terminal",
  headers: noStore,
  async handle({ caller, services: { db, redis, settings } }) {
    const terminal = await loadTerminal(db, terminalOf(caller));
    return Response.json(await issueSeatTicket({ db, redis, settings }, terminal));
  },
});
