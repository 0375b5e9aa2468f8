// The RBAC matrix over REST: every operation of REST_OPERATIONS as every kind of caller, through the REST
// handler with the caller's own credentials. The world, the fixtures and the expected outcomes are the
// tRPC matrix's (server/testing/rbac-world.ts), so a path answers exactly what its procedure answers:
// admitted (2xx), 401 or 403, in the one error shape. API tokens are callers too: a full token acts as
// its owner, a read-only one reads and is refused every write, an expired or revoked one is nobody, a
// demoted teacher's token acts as the student they are now, and a token capped to `user` acts as one.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resource } from "@/common/permissions";
import type { AccountRole } from "@/common/roles";
import { apiTokens, users } from "@/db/schema";
import type { Actor } from "@/server/domain/context";
import { mintToken } from "@/server/domain/api-tokens/token-format";
import { actorOf } from "@/server/domain/policies/caller";
import { resolveSessionOrTokenCaller } from "@/server/http/caller";
import { getServices } from "@/server/services";
import { makeNetwork, makeUser, uniqueName } from "@/server/testing/fixtures";
import {
  ACTOR_KINDS,
  expectedOutcome,
  FIXTURES,
  openRbacWorld,
  UNRESOLVED,
  type ActorKind,
  type Outcome,
  type World,
} from "@/server/testing/rbac-world";
import { restRequestFor } from "@/server/testing/rest-request";
import { sessionCookieFor } from "@/server/testing/tus-client";
import { REST_OPERATIONS } from "./operations";
import { procedureDef } from "./procedures";
import { restHandler } from "./rest-handler";

// Routes read the image store from the process's settings; point them at this run's own directory.
const storeDir = await mkdtemp(join(tmpdir(), "educloud-rest-rbac-"));
Object.assign(getServices().settings, { imageStoreDir: storeDir });
const SECRET = getServices().settings.sessionSecret;

let w: World;
let staleCookies: Partial<Record<ActorKind, string>> = {};
beforeAll(async () => {
  ({ w, staleCookies } = await openRbacWorld(storeDir));
  // A teacher (a member of group A, administering nothing) whose tokens were made before the demotion.
  demoted = await makeUser(w.s, "powerAdm", [w.groupA], { adminOf: [] });
  await w.s.db.update(users).set({ role: "user" }).where(eq(users.id, demoted.id));
  // Who each live token is as the portal resolves it now (the function the REST handler uses).
  for (const kind of TOKEN_KINDS) {
    const caller = await resolveSessionOrTokenCaller(
      new Request("http://portal/", { headers: { authorization: `Bearer ${await tokenFor(kind)}` } }),
      { db: w.s.db, redis: w.s.redis, redisPrefix: w.s.prefix, secret: SECRET },
    ).catch(() => null);
    tokenActors[kind] = caller ? actorOf(caller) : null;
  }
});
afterAll(async () => {
  await w?.s.close();
  await rm(storeDir, { recursive: true, force: true });
});

type TokenKind =
  "fullToken" | "readOnlyToken" | "expiredToken" | "revokedToken" | "demotedToken" | "cappedToken";
const TOKEN_KINDS: TokenKind[] = [
  "fullToken",
  "readOnlyToken",
  "expiredToken",
  "revokedToken",
  "demotedToken",
  "cappedToken",
];
/** The person kind whose answers a live token's must equal (null: the token is nobody). */
const ACTS_AS: Record<TokenKind, ActorKind | null> = {
  fullToken: "powerAdm",
  readOnlyToken: "powerAdm",
  expiredToken: null,
  revokedToken: null,
  demotedToken: "user",
  cappedToken: "user",
};
let demoted: Actor;
const tokenActors: Partial<Record<TokenKind, Actor | null>> = {};

/**
 * A new token of this kind, as its row would be (one per request: the matrix asks who may, not how
 * often — the rate limits have their own tests). Every one but the demoted teacher's is group A's admin's.
 */
async function tokenFor(kind: TokenKind): Promise<string> {
  const minted = mintToken();
  const hour = 3600_000;
  const role: AccountRole = kind === "cappedToken" ? "user" : "powerAdm";
  await w.s.db.insert(apiTokens).values({
    userId: kind === "demotedToken" ? demoted.id : w.accounts.powerAdm!.id,
    name: uniqueName("matrix"),
    publicId: minted.publicId,
    secretHash: minted.secretHash,
    role,
    readOnly: kind === "readOnlyToken",
    expiresAt: new Date(Date.now() + (kind === "expiredToken" ? -hour : hour)),
    revokedAt: kind === "revokedToken" ? new Date() : null,
  });
  return minted.token;
}

const STATUS: Record<Exclude<Outcome, "ok">, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403 };

/** The cookie this kind presents: one issued now, or (disabled, revoked) the one it had; anonymous none. */
async function credentialsOf(kind: ActorKind): Promise<Record<string, string>> {
  if (kind === "disabled" || kind === "revokedSession") return { cookie: staleCookies[kind]! };
  if (UNRESOLVED.includes(kind)) return {};
  return { cookie: await sessionCookieFor(w.s, w.accounts[kind]!.id, SECRET) };
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  return (res.headers.get("content-type") ?? "").includes("json") && text ? JSON.parse(text) : text;
}

describe("RBAC matrix over REST (/api/v1)", () => {
  it("resolves each token as the portal does: capped, demoted, or nobody", () => {
    expect(tokenActors.fullToken).toMatchObject({ role: "powerAdm", token: { readOnly: false } });
    expect(tokenActors.readOnlyToken).toMatchObject({ role: "powerAdm", token: { readOnly: true } });
    expect(tokenActors.demotedToken).toMatchObject({ id: demoted.id, role: "user" });
    // Capped to user, group A's teacher administers nothing through this token.
    expect(tokenActors.cappedToken).toMatchObject({ role: "user", adminGroupIds: [] });
    expect(tokenActors.expiredToken).toBeNull();
    expect(tokenActors.revokedToken).toBeNull();
  });

  it("has a fixture for every operation's procedure", () => {
    for (const op of REST_OPERATIONS)
      expect(FIXTURES[op.procedure], `${op.method} ${op.path} (${op.procedure})`).toBeDefined();
  });

  for (const op of REST_OPERATIONS) {
    describe(`${op.method} ${op.path}`, () => {
      // This matrix carves and reserves more than the tRPC one (its token rows too): a /24 of its own
      // for each IPAM row, so no row is refused for want of addresses.
      if (op.procedure.startsWith("ipam."))
        beforeAll(async () => {
          w.networkId = await makeNetwork(w.s);
        });
      for (const kind of ACTOR_KINDS) {
        it(`as ${kind}`, async () => {
          const fixture = FIXTURES[op.procedure]!;
          const meta = procedureDef(op.procedure).meta!;
          const want = expectedOutcome(
            meta.permission,
            kind,
            w.actors[kind],
            fixture,
            meta.resource as Resource,
          );
          const input = await fixture.input(w);
          const res = await restHandler(restRequestFor(op, input, await credentialsOf(kind)));
          const body = await bodyOf(res);
          if (want === "ok") {
            expect(res.status, `${op.method} ${op.path} as ${kind}: ${JSON.stringify(body)}`).toBeLessThan(
              300,
            );
            if (typeof body !== "string") fixture.checkResult?.(w, kind, body);
          } else {
            expect(res.status, `${op.method} ${op.path} as ${kind}: ${JSON.stringify(body)}`).toBe(
              STATUS[want],
            );
            expect(body).toMatchObject({ error: want, message: expect.any(String) });
          }
        });
      }
      for (const kind of TOKEN_KINDS) {
        it(`with a ${kind}`, async () => {
          const fixture = FIXTURES[op.procedure]!;
          const def = procedureDef(op.procedure);
          const meta = def.meta!;
          const actsAs = ACTS_AS[kind];
          let want: Outcome = "UNAUTHORIZED";
          if (actsAs) {
            const actor = tokenActors[kind]!;
            expect(actor, kind).not.toBeNull();
            want = expectedOutcome(meta.permission, actsAs, actor, fixture, meta.resource as Resource);
            // A read-only token is refused every write, whatever its owner may do; no token mints another
            // (a stolen one could otherwise outlive its own expiry).
            if (kind === "readOnlyToken" && def.type === "mutation") want = "FORBIDDEN";
            if (op.procedure === "apiTokens.create") want = "FORBIDDEN";
          }
          // A token that is nobody is refused before the input is read: any value fills the path.
          const input = actsAs
            ? await fixture.input(w)
            : Object.fromEntries([...op.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, "1"]));
          const authorization = `Bearer ${await tokenFor(kind)}`;
          const res = await restHandler(restRequestFor(op, input, { authorization }));
          const body = await bodyOf(res);
          const what = `${op.method} ${op.path} with a ${kind}: ${JSON.stringify(body)}`;
          if (want === "ok") {
            expect(res.status, what).toBeLessThan(300);
            if (typeof body !== "string") fixture.checkResult?.(w, actsAs!, body);
          } else {
            expect(res.status, what).toBe(STATUS[want]);
            expect(body).toMatchObject({ error: want, message: expect.any(String) });
          }
        });
      }
    });
  }
});
