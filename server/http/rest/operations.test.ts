// The REST table against the router: every procedure has a path (or a reason not to), paths are unique,
// path parameters are fields of the input, reads are GETs and writes are not, and the document is whole.
import { describe, expect, it } from "vitest";
import { matchOperation } from "./match-operation";
import { buildOpenApiDocument } from "./openapi-document";
import { NOT_IN_REST, REST_OPERATIONS, type ProcedurePath } from "./operations";
import { inputSchemaOf, listProcedurePaths, procedureDef } from "./procedures";

describe("the REST table", () => {
  it("gives every procedure a path, or says why not", () => {
    const mapped = new Set(REST_OPERATIONS.map((o) => o.procedure as string));
    const missing = listProcedurePaths().filter((p) => !mapped.has(p) && !(p in NOT_IN_REST));
    expect(missing).toEqual([]);
    for (const p of Object.keys(NOT_IN_REST)) expect(mapped.has(p)).toBe(false);
  });

  it("has one operation per method and path", () => {
    const keys = REST_OPERATIONS.map((o) => `${o.method} ${o.path.replace(/\{\w+\}/g, "{}")}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it("names only input fields as path parameters", () => {
    for (const op of REST_OPERATIONS) {
      const fields = Object.keys(inputSchemaOf(op.procedure)?.properties ?? {});
      for (const [, name] of op.path.matchAll(/\{(\w+)\}/g))
        expect(fields, `${op.method} ${op.path}`).toContain(name);
    }
  });

  it("reads with GET and writes with anything else", () => {
    for (const op of REST_OPERATIONS) {
      const isQuery = procedureDef(op.procedure as ProcedurePath).type === "query";
      expect(op.method === "GET", `${op.method} ${op.path} → ${op.procedure}`).toBe(isQuery);
    }
  });

  it("finds each operation by its own path, literal segments first", () => {
    for (const op of REST_OPERATIONS) {
      const path = op.path.replace(/\{(\w+)\}/g, "x1");
      const m = matchOperation(op.method, path);
      expect(m.kind === "found" && m.op.procedure, `${op.method} ${path}`).toBe(op.procedure);
    }
    const lo = matchOperation("GET", "/instances/launch-options");
    expect(lo.kind === "found" && lo.op.procedure).toBe("instances.launchOptions");
    expect(matchOperation("GET", "/nowhere").kind).toBe("none");
    expect(matchOperation("PUT", "/instances")).toEqual({ kind: "wrongMethod", allowed: ["GET", "POST"] });
  });

  it("documents every operation with an operationId of its own", () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(ids.length).toBeGreaterThanOrEqual(REST_OPERATIONS.length);
    expect(ids.length).toBe(new Set(ids).size);
  });
});
