// The kiosk page's work (docs/labs.md "Terminals"). A kiosk session belongs to one approved terminal; a
// student signs in there with their own account and must be allowed the terminal's lab (a member of its
// group); they get their desktop from that lab's pools (openDesktop, as on the portal) and a console
// ticket bound to the terminal and to them. Nothing here takes a lab or a desktop from the browser: the
// terminal's row says which lab, the assignment says which desktop. Signing out releases it.
import type { z } from "zod";
import { and, eq } from "drizzle-orm";
import { msg } from "@/common/message";
import type { kioskSignInInput } from "@/common/terminals";
import { instances, terminals, users, type TerminalRow } from "@/db/schema";
import { loadActor, loadActorById } from "../account/load-actor";
import { authenticateUser } from "../account/authenticate";
import type { LoginLimits } from "../account/login-rate-limit";
import { storeConsoleTicket, TICKET_TTL_MS } from "../consoles/console-tickets";
import type { Actor, DomainContext } from "../context";
import { openDesktop } from "../desktops/open-desktop";
import { releaseDesktopsOf } from "../desktops/release-desktop";
import { DomainError } from "../errors";
import { assertMayActOn } from "../policies/authorize";
import { noteKioskActivity, setKioskUser, type KioskSession } from "./kiosk-sessions";
import { desktopShownBy, labFacts, poolIdsOfLab } from "./load-terminal";

export interface KioskCall {
  ctx: DomainContext;
  terminal: TerminalRow;
  session: KioskSession;
  /** This request found the student idle past the limit and signed them out (kiosk-idle.ts). */
  idleEnded?: boolean;
}

const store = (ctx: DomainContext) => ({ redis: ctx.redis, prefix: ctx.settings.redisPrefix });

export async function readKioskState(call: KioskCall) {
  const { ctx, terminal } = call;
  await touch(ctx, terminal.id);
  const lab = await labFacts(ctx.db, terminal.labId);
  let user: { username: string; displayName: string } | null = null;
  const student = await signedInHere(call);
  if (student) {
    const [row] = await ctx.db
      .select({ username: users.username, displayName: users.displayName })
      .from(users)
      .where(eq(users.id, student.id));
    user = row ?? null;
  }
  return {
    terminal: { id: terminal.id, name: terminal.name },
    lab: lab ? { id: lab.id, name: lab.name } : null,
    show: terminal.seatInstanceId ? ("seat" as const) : ("sign-in" as const),
    keyboardLayout: terminal.keyboardLayout ?? lab?.keyboardLayout ?? "en-us",
    user,
  };
}

/** Signs a student in at the kiosk: their password (rate-limited as at the portal), then the lab's rule. */
export async function signInAtKiosk(
  call: KioskCall,
  input: z.output<typeof kioskSignInInput>,
  limits: LoginLimits,
): Promise<{ username: string }> {
  const { ctx, terminal, session } = call;
  if (terminal.seatInstanceId) throw new DomainError("CONFLICT", msg("kiosk.seatNoSignIn"));
  if (await signedInHere(call)) throw new DomainError("CONFLICT", msg("kiosk.alreadySignedIn"));
  const lab = await labFacts(ctx.db, terminal.labId);
  if (!lab) throw new DomainError("CONFLICT", msg("kiosk.noLab"));
  const user = await authenticateUser({ db: ctx.db, redis: ctx.redis, limits }, { ...input, ip: ctx.ip });
  const actor = await loadActorById(ctx.db, user.id);
  if (!actor) throw new DomainError("UNAUTHORIZED", msg("auth.invalidCredentials"));
  assertMayActOn(
    actor,
    "desktops",
    { lab: { groupId: lab.groupId } },
    msg("kiosk.notInLab", { lab: lab.name }),
  );
  await setKioskUser(store(ctx), session, { id: actor.id, sessionVersion: user.sessionVersion });
  // Before the row names them: the idle sweep must never see them signed in with an old activity time.
  await noteKioskActivity(store(ctx), terminal.id);
  await ctx.db
    .update(terminals)
    .set({ signedInUserId: actor.id, lastContactAt: new Date(), lastIp: ctx.ip })
    .where(eq(terminals.id, terminal.id));
  return { username: actor.username };
}

/**
 * The student signed in at this kiosk session, as they are now — or null: nobody signed in, a newer
 * sign-in at this terminal, a disabled account, or their sessions ended since ("sign out everywhere", a
 * password reset by an admin or a link: the session version moved on), as a portal session would end.
 */
async function signedInHere({ ctx, terminal, session }: KioskCall): Promise<Actor | null> {
  if (session.userId === null || terminal.signedInUserId !== session.userId) return null;
  if (session.sv === null || session.sv === undefined) return null;
  return loadActor(ctx.db, session.userId, session.sv);
}

/**
 * A kiosk sign-in whose student's sessions ended since ("sign out everywhere", an admin's password
 * reset, a disable): the terminal forgets them and their desktop is released, as at sign-out — and the
 * console proxy, which re-checks its terminals' consoles, cuts the one open there. True when this call
 * ended it. The kiosk page asks every 30 s, so this happens within about that.
 */
export async function endLapsedKioskSignIn(call: KioskCall): Promise<boolean> {
  const { ctx, terminal, session } = call;
  if (session.userId === null || terminal.signedInUserId !== session.userId) return false;
  if (await signedInHere(call)) return false;
  const [res] = await ctx.db
    .update(terminals)
    .set({ signedInUserId: null })
    .where(and(eq(terminals.id, terminal.id), eq(terminals.signedInUserId, session.userId)));
  if (res.affectedRows !== 1) return false;
  await releaseStudentAt(ctx, terminal, session.userId);
  return true;
}

async function kioskStudent(call: KioskCall): Promise<Actor> {
  const actor = await signedInHere(call);
  if (!actor)
    throw new DomainError(
      "UNAUTHORIZED",
      call.idleEnded
        ? msg("kiosk.idleSignedOut", { minutes: Math.round(call.ctx.settings.kioskIdleSeconds / 60) })
        : msg("kiosk.signInFirst"),
    );
  return actor;
}

/** What the kiosk shows: the seat's desktop, or the student's desktop of the terminal's lab (handed out now). */
export async function openKioskDesktop(
  call: KioskCall,
): Promise<{ instanceId: string; state: string; ready: boolean }> {
  const { ctx, terminal } = call;
  await touch(ctx, terminal.id);
  if (!terminal.seatInstanceId) {
    const actor = await kioskStudent(call);
    if (terminal.labId === null) throw new DomainError("CONFLICT", msg("kiosk.noLab"));
    await openDesktop({ ...ctx, actor }, terminal.labId);
  }
  const shown = await desktopShownBy(ctx.db, terminal);
  if (!shown) throw new DomainError("CONFLICT", msg("kiosk.noDesktop"));
  return {
    instanceId: shown.id,
    state: shown.state,
    ready: shown.state === "RUNNING" && shown.task === null,
  };
}

/** A console ticket for the desktop this terminal shows, bound to the terminal (and the student). */
export async function issueKioskTicket(
  call: KioskCall,
): Promise<{ ticket: string; path: string; expiresAt: Date }> {
  const { ctx, terminal } = call;
  const actor = terminal.seatInstanceId ? null : await kioskStudent(call);
  const shown = await desktopShownBy(ctx.db, terminal);
  if (!shown) throw new DomainError("CONFLICT", msg("kiosk.noDesktop"));
  if (actor)
    assertMayActOn(
      actor,
      "consoles",
      (await ctx.db.select().from(instances).where(eq(instances.id, shown.id)))[0]!,
    );
  if (shown.state !== "RUNNING")
    throw new DomainError("CONFLICT", msg("instances.startForConsole", { state: shown.state }));
  const ticket = await storeConsoleTicket(
    { redis: ctx.redis, prefix: ctx.settings.redisPrefix, key: ctx.settings.consoleTicketKey },
    { userId: actor?.id ?? null, instanceId: shown.id, kind: "vnc", terminalId: terminal.id },
  );
  return { ticket, path: `/console/vnc/${shown.id}`, expiresAt: new Date(Date.now() + TICKET_TTL_MS) };
}

/** Sign-out at the kiosk: the student's desktops of this lab are released (reset) and the kiosk shows the sign-in. */
export async function signOutAtKiosk({ ctx, terminal, session }: KioskCall): Promise<{ released: number }> {
  const userId = session.userId;
  await setKioskUser(store(ctx), session, null);
  if (userId === null) return { released: 0 };
  await ctx.db
    .update(terminals)
    .set({ signedInUserId: null })
    .where(and(eq(terminals.id, terminal.id), eq(terminals.signedInUserId, userId)));
  return { released: await releaseStudentAt(ctx, terminal, userId) };
}

/** Releases what a student holds in the terminal's lab (sign-out, or the terminal revoked under them). */
export async function releaseStudentAt(
  deps: Pick<DomainContext, "db" | "jobs">,
  terminal: Pick<TerminalRow, "labId">,
  userId: number,
): Promise<number> {
  const [user] = await deps.db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) return 0;
  return releaseDesktopsOf(deps, user, await poolIdsOfLab(deps.db, terminal.labId));
}

const touch = (ctx: DomainContext, id: string) =>
  ctx.db.update(terminals).set({ lastContactAt: new Date(), lastIp: ctx.ip }).where(eq(terminals.id, id));
