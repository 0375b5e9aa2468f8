// The OpenAPI document against a maintained validator (@readme/openapi-parser: the OpenAPI 3.1 meta-schema
// plus its semantic rules). Any error or warning fails, so a schema zod writes that OpenAPI cannot say, a
// path parameter the document forgets or a duplicated operationId cannot reach a release.
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi-document";

describe("the OpenAPI document", () => {
  it("passes @readme/openapi-parser with no error and no warning", async () => {
    // validate() dereferences in place: hand it a copy, never the document the portal serves.
    const doc = structuredClone(buildOpenApiDocument()) as Parameters<typeof validate>[0];
    const result = await validate(doc);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe("OpenAPI");
  });

  it("is refused by the same validator when an operation is broken (the check can fail)", async () => {
    const doc = structuredClone(buildOpenApiDocument()) as {
      paths: Record<string, Record<string, { parameters: unknown[] }>>;
    };
    // A path parameter no longer declared: the kind of drift a hand edit of the table could cause.
    doc.paths["/instances/{id}"]!.get!.parameters = [];
    const result = await validate(doc as unknown as Parameters<typeof validate>[0]);
    expect(result.valid).toBe(false);
  });
});
