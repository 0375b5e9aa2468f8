import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/domain/errors";
import { toTrpcError } from "./errors";
import { msg } from "@/common/message";

describe("domain → tRPC error mapping", () => {
  it.each([
    ["INVALID", "BAD_REQUEST"],
    ["NOT_FOUND", "NOT_FOUND"],
    ["FORBIDDEN", "FORBIDDEN"],
    ["CONFLICT", "CONFLICT"],
    ["RATE_LIMITED", "TOO_MANY_REQUESTS"],
    ["UNAVAILABLE", "SERVICE_UNAVAILABLE"],
  ] as const)("%s becomes %s and keeps its message", (kind, code) => {
    const e = toTrpcError(new DomainError(kind, msg("auth.forbidden")));
    expect(e.code).toBe(code);
    expect(e.message).toBe("You are not allowed to do this.");
  });

  it("turns a refused database connection into SERVICE_UNAVAILABLE with a readable message", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3306"), { code: "ECONNREFUSED" });
    const wrapped = new Error("Failed query", { cause: refused });
    const e = toTrpcError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: wrapped }));
    expect(e.code).toBe("SERVICE_UNAVAILABLE");
    expect(e.message).toMatch(/database is unavailable/i);
  });

  it("hides the text of unexpected errors from callers", () => {
    const e = toTrpcError(new Error("SELECT * FROM users leaked"));
    expect(e.code).toBe("INTERNAL_SERVER_ERROR");
    expect(e.message).not.toContain("SELECT");
  });
});
