// The REST layer itself, through its route handler with a real session: paths reach their procedures,
// text in the query becomes typed input, writes take JSON only, and every failure has the one error shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getServices } from "@/server/services";
import { makeUser, openTestServices, uniqueName, type TestServices } from "@/server/testing/fixtures";
import { sessionCookieFor } from "@/server/testing/tus-client";
import { restHandler } from "./rest-handler";

let s: TestServices;
let adminCookie: string;
let userCookie: string;
beforeAll(async () => {
  s = openTestServices();
  const secret = getServices().settings.sessionSecret;
  adminCookie = await sessionCookieFor(s, (await makeUser(s, "superAdm")).id, secret);
  userCookie = await sessionCookieFor(s, (await makeUser(s, "user")).id, secret);
});
afterAll(() => s.close());

function call(
  method: string,
  path: string,
  opts: { cookie?: string; token?: string; body?: unknown; type?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = opts.type ?? "application/json";
  return restHandler(
    new Request(`http://portal/api/v1${path}`, {
      method,
      headers,
      body:
        opts.body === undefined
          ? undefined
          : typeof opts.body === "string"
            ? opts.body
            : JSON.stringify(opts.body),
    }),
  );
}

describe("REST API core", () => {
  it("answers a read with the procedure's result", async () => {
    const res = await call("GET", "/account", { cookie: userCookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: "user" });
  });

  it("refuses a caller without credentials with the one error shape", async () => {
    const res = await call("GET", "/account");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "UNAUTHORIZED", message: expect.any(String) });
  });

  it("creates with 201 and a Location, reads it back at that Location", async () => {
    const name = uniqueName("rf");
    const res = await call("POST", "/flavors", {
      cookie: adminCookie,
      body: { name, vcpus: 1, memoryMiB: 256, diskGiB: 1 },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: number; name: string };
    expect(created.name).toBe(name);
    expect(res.headers.get("location")).toBe(`/api/v1/flavors/${created.id}`);
    const patched = await call("PATCH", `/flavors/${created.id}`, {
      cookie: adminCookie,
      body: { name, vcpus: 2, memoryMiB: 256, diskGiB: 1 },
    });
    expect(patched.status).toBe(200);
    const del = await call("DELETE", `/flavors/${created.id}`, { cookie: adminCookie });
    expect(del.status).toBeLessThan(300);
  });

  it("names the wrong fields of a body", async () => {
    const res = await call("POST", "/flavors", { cookie: adminCookie, body: { name: "", vcpus: "many" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fieldErrors: Record<string, string> };
    expect(body.error).toBe("INVALID");
    expect(Object.keys(body.fieldErrors)).toEqual(expect.arrayContaining(["name", "vcpus"]));
  });

  it("takes only JSON bodies (a cross-site form post cannot reach a write)", async () => {
    const res = await call("POST", "/flavors", {
      cookie: adminCookie,
      body: "name=x",
      type: "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/JSON/);
  });

  it("refuses a body that contradicts the path", async () => {
    const res = await call("PATCH", "/flavors/1", { cookie: adminCookie, body: { id: 2, name: "x" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/id/);
  });

  it("converts query text to the input's types", async () => {
    const ok = await call("GET", "/tasks?limit=3", { cookie: adminCookie });
    expect(ok.status).toBe(200);
    const bad = await call("GET", "/tasks?limit=lots", { cookie: adminCookie });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toHaveProperty(
      "limit",
    );
  });

  it("answers 404 for an unknown path and 405 with Allow for a wrong method", async () => {
    const none = await call("GET", "/nothing-here", { cookie: adminCookie });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: "NOT_FOUND" });
    const wrong = await call("PUT", "/flavors", { cookie: adminCookie, body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
  });

  it("applies the permission table: a student may not list accounts", async () => {
    const res = await call("GET", "/users", { cookie: userCookie });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "FORBIDDEN" });
  });

  it("sends CSV exports as text/csv", async () => {
    const res = await call("GET", "/networks/usage.csv", { cookie: adminCookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
  });

  it("takes API tokens: made over REST with a session, used as Bearer, read-only refused writes, revoked refused", async () => {
    const made = await call("POST", "/account/tokens", {
      cookie: adminCookie,
      body: { name: uniqueName("rt"), expiresInDays: 7, role: "superAdm", readOnly: false },
    });
    expect(made.status).toBe(200);
    const full = (await made.json()) as { id: number; token: string };
    expect(full.token).toMatch(/^ect_/);
    const me = await call("GET", "/account", { token: full.token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: "superAdm" });
    // A token cannot mint its successor, so it cannot outlive its own expiry.
    const again = await call("POST", "/account/tokens", {
      token: full.token,
      body: { name: uniqueName("rt"), expiresInDays: 7, role: "user", readOnly: false },
    });
    expect(again.status).toBe(403);

    const ro = (await (
      await call("POST", "/account/tokens", {
        cookie: adminCookie,
        body: { name: uniqueName("ro"), expiresInDays: 7, role: "superAdm", readOnly: true },
      })
    ).json()) as { token: string };
    expect((await call("GET", "/flavors", { token: ro.token })).status).toBe(200);
    const write = await call("POST", "/flavors", {
      token: ro.token,
      body: { name: uniqueName("rf"), vcpus: 1, memoryMiB: 256, diskGiB: 1 },
    });
    expect(write.status).toBe(403);

    expect((await call("DELETE", `/account/tokens/${full.id}`, { cookie: adminCookie })).status).toBeLessThan(
      300,
    );
    const revoked = await call("GET", "/account", { token: full.token, cookie: adminCookie });
    // A bad token never falls back to the session cookie sent along with it.
    expect(revoked.status).toBe(401);
  });

  it("refuses a session's write sent from a page of another origin (same-site forms included)", async () => {
    const portal = getServices().settings.portalOrigin;
    const post = (origin: string | null, auth?: string) =>
      restHandler(
        new Request("http://portal/api/v1/account/sign-out-everywhere", {
          method: "POST",
          headers: {
            cookie: userCookie,
            ...(origin ? { origin } : {}),
            ...(auth ? { authorization: auth } : {}),
          },
        }),
      );
    const foreign = await post("http://portal.example:30080");
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toMatch(/another origin/);
    // The account's sessions are still there: the refused write did nothing.
    expect((await call("GET", "/account", { cookie: userCookie })).status).toBe(200);
    const reads = await restHandler(
      new Request("http://portal/api/v1/account", {
        headers: { cookie: userCookie, origin: "http://x.example" },
      }),
    );
    expect(reads.status).toBe(200);
    expect((await post(portal)).status).toBeLessThan(300);
  });
});
