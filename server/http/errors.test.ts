import { describe, expect, it } from "vitest";
import { msg } from "@/common/message";
import { DomainError } from "@/server/domain/errors";
import { toHttpError, toTrpcError } from "./errors";

describe("one error mapping for HTTP and tRPC", () => {
  it.each([
    ["INVALID", 400, "BAD_REQUEST"],
    ["UNAUTHORIZED", 401, "UNAUTHORIZED"],
    ["FORBIDDEN", 403, "FORBIDDEN"],
    ["NOT_FOUND", 404, "NOT_FOUND"],
    ["CONFLICT", 409, "CONFLICT"],
    ["RATE_LIMITED", 429, "TOO_MANY_REQUESTS"],
    ["UNAVAILABLE", 503, "SERVICE_UNAVAILABLE"],
  ] as const)("%s is HTTP %i and tRPC %s, with its message and fields", (kind, status, code) => {
    const err = new DomainError(kind, msg("auth.forbidden"), { name: msg("validation.invalid") });
    const http = toHttpError(err);
    expect(http.status).toBe(status);
    expect(http.body).toMatchObject({
      error: kind,
      message: "You are not allowed to do this.",
      fieldErrors: { name: "Not valid." },
      serverMessage: { code: "auth.forbidden", params: {} },
      fieldMessages: { name: { code: "validation.invalid", params: {} } },
    });
    expect(toTrpcError(err).code).toBe(code);
  });

  it("passes through what else a DomainError carries (a message code and its parameters)", () => {
    const err = new DomainError("CONFLICT", msg("volumes.notAvailable", { state: "attached" }));
    expect(toHttpError(err).body).toMatchObject({
      code: "volumes.notAvailable",
      params: { state: "attached" },
      serverMessage: { code: "volumes.notAvailable", params: { state: "attached" } },
    });
  });

  it("answers 503 with a readable message when the database is unreachable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3306"), { code: "ECONNREFUSED" });
    const http = toHttpError(new Error("Failed query", { cause: refused }));
    expect(http.status).toBe(503);
    expect(http.body.message).toMatch(/database is unavailable/i);
  });

  it("hides an unexpected error's text and marks it for the log", () => {
    const http = toHttpError(new Error("SELECT * FROM users leaked"));
    expect(http).toMatchObject({ status: 500, internal: true });
    expect(http.body.message).not.toContain("SELECT");
  });
});
