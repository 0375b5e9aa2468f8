// What the terminal attack tests share: a lab with a pool whose running desktops they place by hand, and
// a thin client as the boot script drives it (enrol, approved by a superAdm, config, one-time kiosk link)
// with the kiosk routes a browser at that PC calls.
import { eq } from "drizzle-orm";
import { instances } from "@/db/schema";
import { signTerminalRequest } from "@/server/domain/terminals/terminal-secrets";
import {
  callerFor,
  FIXTURE_PASSWORD,
  makeGroup,
  uniqueName,
  type makeUser,
  type TestServices,
} from "@/server/testing/fixtures";
import { makeLab, makePool, makeProfile, makeProfileMachine } from "@/server/testing/lab-fixtures";
import * as enrolRoute from "@/app/api/v1/terminals/enrol/route";
import * as configRoute from "@/app/api/v1/terminals/config/route";
import * as terminalTicketRoute from "@/app/api/v1/terminals/console-ticket/route";
import * as startRoute from "@/app/api/v1/kiosk/start/route";
import * as stateRoute from "@/app/api/v1/kiosk/state/route";
import * as signInRoute from "@/app/api/v1/kiosk/sign-in/route";
import * as signOutRoute from "@/app/api/v1/kiosk/sign-out/route";
import * as desktopRoute from "@/app/api/v1/kiosk/desktop/route";
import * as ticketRoute from "@/app/api/v1/kiosk/ticket/route";

const portal = "http://portal";
type Actor = Awaited<ReturnType<typeof makeUser>>;

export interface LabWithPool {
  groupId: number;
  labId: number;
  poolId: number;
  profileId: number;
  /** A running desktop of the lab's pool on `hostId` (spare unless assigned). */
  desktop: (assignedTo?: number | null) => Promise<string>;
}

/** A class's lab with one pool of `size` desktops (none kept spare: the tests place them). */
export async function makeLabWithPool(
  s: TestServices,
  opts: { hostId: string; ownerId: number; size: number },
): Promise<LabWithPool> {
  const groupId = await makeGroup(s);
  const { profileId, flavorId, imageId } = await makeProfile(s, { groupId });
  const labId = await makeLab(s, { groupId, profileIds: [profileId] });
  const poolId = await makePool(s, { labId, profileId, size: opts.size, spare: 0 });
  return {
    groupId,
    labId,
    poolId,
    profileId,
    async desktop(assignedTo = null) {
      const id = await makeProfileMachine(s, {
        profileId,
        kind: "desktop",
        ownerId: opts.ownerId,
        groupId,
        hostId: opts.hostId,
        flavorId,
        imageId,
        assignedTo,
      });
      await s.db
        .update(instances)
        .set({ poolId, assignedAt: assignedTo ? new Date() : null })
        .where(eq(instances.id, id));
      return id;
    },
  };
}

/** A terminal enrolled with `mac`, approved into the lab (with the seat) and its kiosk page opened. */
export async function openKioskTerminal(
  s: TestServices,
  approver: Actor,
  opts: { labId: number; seatInstanceId?: string | null; mac: string },
) {
  const res = await enrolRoute.POST(
    new Request(`${portal}/api/v1/terminals/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mac: opts.mac, name: uniqueName("pc") }),
    }),
  );
  const t = (await res.json()) as { terminalId: string; secret: string };
  await callerFor(s, approver).terminals.approve({
    id: t.terminalId,
    labId: opts.labId,
    seatInstanceId: opts.seatInstanceId ?? null,
  });
  const path = "/api/v1/terminals/config";
  const config = (await (
    await configRoute.GET(
      new Request(`${portal}${path}`, {
        headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "GET", path),
      }),
    )
  ).json()) as { kioskUrl: string };
  const link = new URL(config.kioskUrl);
  const started = await startRoute.GET(new Request(`${portal}${link.pathname}${link.search}`));
  const cookie = started.headers.get("set-cookie")!.split(";")[0]!;
  const post = (route: { POST: (r: Request) => Promise<Response> }, name: string, body?: unknown) =>
    route.POST(
      new Request(`${portal}/api/v1/kiosk/${name}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  const nativePath = "/api/v1/terminals/console-ticket";
  return {
    id: t.terminalId,
    secret: t.secret,
    signIn: (who: Actor) =>
      post(signInRoute, "sign-in", { username: who.username, password: FIXTURE_PASSWORD }),
    state: async () =>
      (await (
        await stateRoute.GET(new Request(`${portal}/api/v1/kiosk/state`, { headers: { cookie } }))
      ).json()) as { user: { username: string } | null },
    desktop: () => post(desktopRoute, "desktop"),
    ticket: () => post(ticketRoute, "ticket"),
    signOut: () => post(signOutRoute, "sign-out"),
    nativeTicket: () =>
      terminalTicketRoute.POST(
        new Request(`${portal}${nativePath}`, {
          method: "POST",
          headers: signTerminalRequest({ id: t.terminalId, secret: t.secret }, "POST", nativePath),
        }),
      ),
  };
}
