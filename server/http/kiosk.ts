// The kiosk page's HTTP side (docs/labs.md "Terminals"). /api/v1/kiosk/start redeems the one-time link
// a terminal's boot script fetched and sets the kiosk cookie (httpOnly, SameSite=Strict); every other
// route reads that cookie (caller kind "kiosk") and works for that terminal only.
import { membershipHooks } from "@/server/events/membership-hooks";
import { kioskSignInInput } from "@/common/terminals";
import { z } from "zod";
import type { DomainContext } from "@/server/domain/context";
import type { Caller } from "@/server/domain/policies/caller";
import {
  endLapsedKioskSignIn,
  issueKioskTicket,
  openKioskDesktop,
  readKioskState,
  signInAtKiosk,
  signOutAtKiosk,
  type KioskCall,
} from "@/server/domain/terminals/kiosk";
import {
  KIOSK_COOKIE,
  KIOSK_SESSION_TTL_SECONDS,
  redeemKioskLink,
} from "@/server/domain/terminals/kiosk-sessions";
import { endIdleKioskSignIn } from "@/server/domain/terminals/kiosk-idle";
import { loadTerminal } from "@/server/domain/terminals/load-terminal";
import type { Services } from "@/server/services";
import { defineHandler, TARGET_HEADER } from "./handler";

const noStore = { "cache-control": "no-store" };

/** GET /api/v1/kiosk/start?token=… → 303 to /kiosk with the kiosk cookie (or without, when the link is spent). */
export const kioskStartRoute = defineHandler({
  resource: "kiosk",
  action: "start",
  credentials: "none",
  query: z.object({ token: z.string().max(100).default("") }),
  headers: noStore,
  async handle({ query, services: { redis, settings } }) {
    const redeemed = await redeemKioskLink({ redis, prefix: settings.redisPrefix }, query.token);
    if (!redeemed) return new Response(null, { status: 303, headers: { location: "/kiosk?link=spent" } });
    const cookie = [
      `${KIOSK_COOKIE}=${redeemed.cookie}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Strict",
      `Max-Age=${KIOSK_SESSION_TTL_SECONDS}`,
      ...(settings.secureCookies ? ["Secure"] : []),
    ].join("; ");
    return new Response(null, {
      status: 303,
      headers: { location: "/kiosk", "set-cookie": cookie, [TARGET_HEADER]: redeemed.terminalId },
    });
  },
});

async function kioskCall(caller: Caller, services: Services, ip: string | null): Promise<KioskCall> {
  if (caller.kind !== "kiosk") throw new Error("kiosk route without a kiosk caller");
  const ctx: DomainContext = {
    db: services.db,
    redis: services.redis,
    actor: null,
    ip,
    settings: services.settings,
    jobs: services.jobs,
    hostChannel: services.hostChannel,
    hooks: membershipHooks,
  };
  let terminal = await loadTerminal(services.db, caller.terminalId);
  // A student idle past the limit is signed out before anything else is done for this kiosk.
  const idleEnded = await endIdleKioskSignIn(ctx, terminal);
  if (idleEnded) terminal = { ...terminal, signedInUserId: null };
  const call: KioskCall = {
    ctx,
    terminal,
    idleEnded,
    session: {
      terminalId: caller.terminalId,
      userId: caller.userId,
      sv: caller.userSv,
      hash: caller.sessionHash,
    },
  };
  // One whose sessions ended elsewhere (sign out everywhere) is signed out here too, desktop released.
  if (await endLapsedKioskSignIn(call)) call.terminal = { ...terminal, signedInUserId: null };
  return call;
}

export const kioskStateRoute = defineHandler({
  resource: "kiosk",
  action: "state",
  credentials: "kiosk",
  headers: noStore,
  async handle({ caller, services, ip }) {
    return Response.json(await readKioskState(await kioskCall(caller, services, ip)));
  },
});

export const kioskSignInRoute = defineHandler({
  resource: "kiosk",
  action: "signIn",
  credentials: "kiosk",
  body: kioskSignInInput,
  headers: noStore,
  audit: {
    actorName: (caller, _ok, body) =>
      `${body?.username ?? "?"}@kiosk:${caller.kind === "kiosk" ? caller.terminalId : "?"}`,
  },
  async handle({ caller, body, services, ip }) {
    const call = await kioskCall(caller, services, ip);
    const out = await signInAtKiosk(call, body, {
      prefix: services.settings.redisPrefix,
      ...services.settings.login,
    });
    return Response.json(out, { headers: { [TARGET_HEADER]: call.terminal.id } });
  },
});

export const kioskDesktopRoute = defineHandler({
  resource: "kiosk",
  action: "desktop",
  credentials: "kiosk",
  headers: noStore,
  async handle({ caller, services, ip }) {
    return Response.json(await openKioskDesktop(await kioskCall(caller, services, ip)));
  },
});

export const kioskTicketRoute = defineHandler({
  resource: "kiosk",
  action: "ticket",
  credentials: "kiosk",
  headers: noStore,
  async handle({ caller, services, ip }) {
    return Response.json(await issueKioskTicket(await kioskCall(caller, services, ip)));
  },
});

export const kioskSignOutRoute = defineHandler({
  resource: "kiosk",
  action: "signOut",
  credentials: "kiosk",
  headers: noStore,
  audit: true,
  async handle({ caller, services, ip }) {
    const call = await kioskCall(caller, services, ip);
    return Response.json(await signOutAtKiosk(call), { headers: { [TARGET_HEADER]: call.terminal.id } });
  },
});
