// What a lab PC's agent in local mode calls, with its host credential (agents/protocol/local.ts), only
// for a host in a local desktops cluster: the profiles it may offer (a user's own only after the portal checks that user's password now), and the
// usage of its local desktops.
import { localProfilesRequestSchema, localUsageReportSchema } from "@/agents/protocol/local";
import { authenticateUser } from "@/server/domain/account/authenticate";
import { listLocalProfiles } from "@/server/domain/local-desktops/list-local-profiles";
import {
  localTicketKey,
  signLocalTicket,
  USER_TICKET_SECONDS,
  userTicketParts,
} from "@/server/domain/local-desktops/local-tickets";
import { assertLocalHost } from "@/server/domain/local-desktops/local-host";
import { recordLocalUsage } from "@/server/domain/local-desktops/record-local-usage";
import { defineHandler } from "./handler";

const NO_STORE = { "cache-control": "no-store" };
const hostIdOf = (caller: { kind: string; hostId?: string }) =>
  caller.kind === "host" ? caller.hostId! : "";

export const localProfilesForAgent = defineHandler({
  resource: "agent",
  action: "localProfiles",
  credentials: "host",
  body: localProfilesRequestSchema,
  async handle({ caller, body, ip, services: { db, redis, settings } }) {
    const hostId = hostIdOf(caller);
    await assertLocalHost(db, hostId);
    const key = localTicketKey(settings.sessionSecret);
    // The same sign-in as the portal's own page: rate limits, one answer for every wrong guess, audit.
    const user = body.username
      ? await authenticateUser(
          { db, redis, limits: { prefix: settings.redisPrefix, ...settings.login } },
          { username: body.username, password: body.password!, ip, device: null },
        )
      : null;
    const profiles = await listLocalProfiles(db, { hostId, userId: user?.id ?? null, ticketKey: key });
    return Response.json(
      {
        ...(user && {
          user: {
            id: user.id,
            username: user.username,
            ticket: signLocalTicket(key, userTicketParts(hostId, user.id), USER_TICKET_SECONDS),
          },
        }),
        profiles,
      },
      { headers: NO_STORE },
    );
  },
});

export const localUsageFromAgent = defineHandler({
  resource: "agent",
  action: "localUsage",
  credentials: "host",
  body: localUsageReportSchema,
  async handle({ caller, body, services: { db, settings } }) {
    await assertLocalHost(db, hostIdOf(caller));
    const res = await recordLocalUsage(db, {
      hostId: hostIdOf(caller),
      records: body.records,
      ticketKey: localTicketKey(settings.sessionSecret),
    });
    return Response.json(res, { headers: NO_STORE });
  },
});
