// The procedures behind REST operations, looked up by path, with their input and output as JSON Schema
// (zod 4 writes JSON Schema 2020-12, the dialect of OpenAPI 3.1).
import { z } from "zod";
import type { AnyProcedure } from "@trpc/server";
import { appRouter } from "@/server/api/root";
import type { ProcedureMeta } from "@/server/api/trpc";
import type { ProcedurePath } from "./operations";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [k: string]: unknown;
};

interface ProcedureDef {
  type: "query" | "mutation" | "subscription";
  meta?: ProcedureMeta;
  inputs: z.ZodType[];
  output?: z.ZodType;
}

const PROCEDURES = (appRouter as unknown as { _def: { procedures: Record<string, AnyProcedure> } })._def
  .procedures;

export function listProcedurePaths(): string[] {
  return Object.keys(PROCEDURES);
}

export function procedureDef(path: ProcedurePath): ProcedureDef {
  const proc = PROCEDURES[path];
  if (!proc) throw new Error(`no procedure ${path}`);
  return (proc as unknown as { _def: ProcedureDef })._def;
}

function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  // Dates travel as ISO strings; anything JSON cannot say is documented as "any value".
  const out = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
      if (def?.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

const inputCache = new Map<string, JsonSchema | null>();

/** The procedure's input as JSON Schema, or null for a procedure without input. */
export function inputSchemaOf(path: ProcedurePath): JsonSchema | null {
  if (!inputCache.has(path)) {
    const input = procedureDef(path).inputs[0];
    inputCache.set(path, input ? toJsonSchema(input, "input") : null);
  }
  return inputCache.get(path)!;
}

/** The procedure's declared output as JSON Schema, or null when it declares none. */
export function outputSchemaOf(path: ProcedurePath): JsonSchema | null {
  const output = procedureDef(path).output;
  return output ? toJsonSchema(output, "output") : null;
}
