// The RBAC matrix over REST: every operation of REST_OPERATIONS as every kind of caller, through the REST
// handler with the caller's own credentials. The world, the fixtures and the expected outcomes are the
// tRPC matrix's (server/testing/rbac-world.ts), so a path answers exactly what its procedure answers:
// admitted (2xx), 401 or 403, in the one error shape.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resource } from "@/common/permissions";
import { getServices } from "@/server/services";
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
});
afterAll(async () => {
  await w?.s.close();
  await rm(storeDir, { recursive: true, force: true });
});

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
  it("has a fixture for every operation's procedure", () => {
    for (const op of REST_OPERATIONS)
      expect(FIXTURES[op.procedure], `${op.method} ${op.path} (${op.procedure})`).toBeDefined();
  });

  for (const op of REST_OPERATIONS) {
    describe(`${op.method} ${op.path}`, () => {
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
    });
  }
});
