// The commands made from the portal's OpenAPI document: each operation becomes `educloud <resource>
// <action>` after its procedure ("instances.create" → `instances create`), path parameters are positional
// arguments in path order, query and body fields are `--kebab-case` options converted to the schema's
// types, and `--help` says what each takes, which are required and who may call it. So a new REST
// operation in the portal is a new command without a new CLI.
import { type Command, Option } from "commander";
import type { ApiClient } from "./api-client";
import { addCommonOptions, clientFor, commonFlagsOf, note, print, type CommonFlags } from "./common-options";
import { usageError } from "./exit-codes";
import { waitForWork } from "./follow-work";
import { convertOption, describeType, isFlag, isList, kebabCase, toQuery } from "./option-conversion";
import type { JsonSchema, SpecOperation } from "./openapi-spec";

export interface FieldSpec {
  name: string;
  option: string;
  schema: JsonSchema | undefined;
  required: boolean;
  in: "query" | "body";
}

export interface CommandSpec {
  resource: string;
  action: string;
  method: string;
  path: string;
  summary: string;
  /** "Who may call: …" from the document. */
  who: string;
  pathParams: { name: string; schema: JsonSchema | undefined }[];
  fields: FieldSpec[];
  follow?: "instance" | "task";
  /** The OpenAPI tag: the resource command's description. */
  tag: string;
  /** A paged list (it takes `cursor`): `--all` follows nextCursor. */
  paged: boolean;
  /** Answers a file (application/octet-stream): written to `-o FILE` or stdout. */
  binary: boolean;
}

/** Paths the CLI speaks through hand-made commands (tus uploads: `educloud images upload`). */
const HAND_MADE = new Set([
  "uploadsCreate",
  "uploadsOffset",
  "uploadsAppend",
  "uploadsCancel",
  "imagesUpload",
]);

/** "instances.createTicket" → ["instances", "create-ticket"]; without a procedure, the operationId's words. */
export function commandNameOf(op: SpecOperation["op"]): [string, string] {
  const proc = op["x-educloud-procedure"];
  if (proc && proc.includes(".")) {
    const [resource, action] = proc.split(".", 2) as [string, string];
    return [kebabCase(resource), kebabCase(action)];
  }
  const words = kebabCase(op.operationId).split("-");
  return [words[0]!, words.slice(1).join("-") || "get"];
}

function optionNameOf(field: string, where: "query" | "body"): string {
  const name = kebabCase(field);
  return RESERVED.has(name) ? `${where}-${name}` : name;
}

export function commandSpecOf({ method, path, op }: SpecOperation): CommandSpec | null {
  if (HAND_MADE.has(op.operationId)) return null;
  const [resource, action] = commandNameOf(op);
  const params = op.parameters ?? [];
  const order = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const pathParams = order.map((name) => ({ name, schema: params.find((p) => p.name === name)?.schema }));
  const fields: FieldSpec[] = params
    .filter((p) => p.in === "query")
    .map((p) => ({
      name: p.name,
      option: optionNameOf(p.name, "query"),
      schema: p.schema,
      required: !!p.required,
      in: "query",
    }));
  const body = op.requestBody?.content["application/json"]?.schema;
  const required = new Set(body?.required ?? []);
  for (const [name, schema] of Object.entries(body?.properties ?? {}))
    fields.push({
      name,
      option: optionNameOf(name, "body"),
      schema,
      required: required.has(name),
      in: "body",
    });
  const responses = (op.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
  return {
    resource,
    action,
    method,
    path,
    summary: op.summary ?? "",
    who: op.description ?? "",
    pathParams,
    fields,
    follow: op["x-educloud-follow"],
    tag: (op.tags as string[] | undefined)?.[0] ?? resource,
    paged: fields.some((f) => f.name === "cursor" && f.in === "query"),
    binary: !!responses["200"]?.content?.["application/octet-stream"],
  };
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Options the CLI itself takes: a field of the same name gets its place as a prefix (`--query-all`). */
const RESERVED = new Set([
  "url",
  "token",
  "output-format",
  "column",
  "data",
  "all",
  "wait",
  "wait-timeout",
  "output",
  "help",
]);

function placeholder(schema: JsonSchema | undefined): string {
  const t = describeType(schema);
  if (t.startsWith("one of ")) return t.slice(7).split(" ")[0]!;
  if (t.startsWith("list of JSON")) return "json";
  if (t.startsWith("list of ")) return t.slice(8).split(" ")[0]!;
  if (t.startsWith("JSON")) return "json";
  return t.split(" ")[0]!;
}

/** The request an invocation makes: the path with its arguments, and the query or body from the options. */
export function buildRequest(
  spec: CommandSpec,
  args: string[],
  options: Record<string, unknown>,
): { path: string; query: URLSearchParams; body: Record<string, unknown> | undefined } {
  let path = spec.path;
  spec.pathParams.forEach((p, i) => {
    path = path.replace(`{${p.name}}`, encodeURIComponent(args[i] ?? ""));
  });
  const query: Record<string, unknown> = {};
  let body: Record<string, unknown> | undefined;
  if (typeof options.data === "string") {
    try {
      const parsed = JSON.parse(options.data) as unknown;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
      body = parsed as Record<string, unknown>;
    } catch {
      throw usageError("--data takes a JSON object.");
    }
  }
  const missing: string[] = [];
  for (const f of spec.fields) {
    const key = optionKey(f.option);
    const raw = options[key] as string | boolean | string[] | undefined;
    if (raw === undefined) {
      if (f.required && !(body && f.name in body))
        missing.push(BY_NAME[f.name] ? `--${BY_NAME[f.name]!.option} (or --${f.option})` : `--${f.option}`);
      continue;
    }
    const value = convertOption(raw, f.schema, `--${f.option}`);
    if (f.in === "query") query[f.name] = value;
    else (body ??= {})[f.name] = value;
  }
  if (missing.length)
    throw usageError(`Missing required option${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}.`);
  const hasBody =
    spec.fields.some((f) => f.in === "body") ||
    spec.method === "POST" ||
    spec.method === "PUT" ||
    spec.method === "PATCH";
  return {
    path,
    query: toQuery(query),
    body: hasBody && spec.method !== "GET" && spec.method !== "DELETE" ? (body ?? {}) : undefined,
  };
}

/** Stand-ins for the fields given by name, so the first check of the command line does not miss them. */
function placeholdersFor(spec: CommandSpec, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const alias = BY_NAME[f.name];
    if (alias && typeof options[optionKey(alias.option)] === "string") out[optionKey(f.option)] = "1";
  }
  return out;
}

/** Commander's camelCase key of an option: `--flavor-id` → `flavorId`. */
export const optionKey = (option: string) =>
  option.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

interface Page {
  items: unknown[];
  nextCursor: string | null;
  total?: number;
}
const isPage = (v: unknown): v is Page =>
  !!v && typeof v === "object" && Array.isArray((v as Page).items) && "nextCursor" in (v as object);

/** A paged list: the first page (and a hint on stderr when more follow), or every page with `all`. */
export async function readList(
  client: ApiClient,
  path: string,
  query: URLSearchParams,
  all: boolean,
): Promise<unknown> {
  const first = (await client.get(path, query)).body;
  if (!isPage(first)) return first;
  const items = [...first.items];
  let cursor = first.nextCursor;
  while (all && cursor) {
    const q = new URLSearchParams(query);
    q.set("cursor", cursor);
    const page = (await client.get(path, q)).body;
    if (!isPage(page)) break;
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  if (!all && cursor)
    note(
      `Showing ${items.length}${typeof first.total === "number" ? ` of ${first.total}` : ""}: add --all for every page, or --cursor ${cursor} for the next.`,
    );
  return items;
}

export interface WaitFlags {
  wait?: boolean;
  waitTimeout?: string;
}

export function waitOptionsOf(flags: WaitFlags) {
  const seconds = Number(flags.waitTimeout ?? 1800);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw usageError("--wait-timeout takes a number of seconds.");
  return {
    timeoutMs: seconds * 1000,
    intervalMs: Number(process.env.EDUCLOUD_POLL_MS ?? 1000),
    progress: note,
  };
}

/**
 * People know an image or a flavor by name ("m1.tiny"), the API by id: where an operation takes
 * `imageId` or `flavorId`, `--image` and `--flavor` take either and are looked up in the portal's list.
 */
export const BY_NAME: Record<string, { option: string; list: string }> = {
  imageId: { option: "image", list: "/images" },
  flavorId: { option: "flavor", list: "/flavors" },
};

/** The id of the one listed object whose id or name is `text`; a usage error for none or several. */
export function pickByName(items: unknown[], text: string, what: string): unknown {
  const rows = items.filter((i): i is Record<string, unknown> => !!i && typeof i === "object");
  const byId = rows.find((r) => String(r.id) === text);
  if (byId) return byId.id;
  const named = rows.filter((r) => r.name === text);
  if (named.length === 1) return named[0]!.id;
  if (named.length === 0) throw usageError(`No ${what} named "${text}" that you may use.`);
  throw usageError(
    `Several ${what}s are named "${text}": give the id (${named.map((r) => String(r.id)).join(", ")}).`,
  );
}

async function resolveNames(spec: CommandSpec, client: ApiClient, options: Record<string, unknown>) {
  for (const f of spec.fields) {
    const alias = BY_NAME[f.name];
    const text = alias && options[optionKey(alias.option)];
    if (!alias || typeof text !== "string") continue;
    if (options[optionKey(f.option)] !== undefined)
      throw usageError(`Give --${alias.option} or --${f.option}, not both.`);
    const items = await readList(client, alias.list, new URLSearchParams(), true);
    options[optionKey(f.option)] = String(pickByName(Array.isArray(items) ? items : [], text, alias.option));
  }
}

async function run(spec: CommandSpec, cmd: Command, args: string[]): Promise<void> {
  const options = { ...cmd.opts<Record<string, unknown>>() };
  const flags: CommonFlags & WaitFlags & { all?: boolean; output?: string } = {
    ...options,
    ...commonFlagsOf(cmd),
  };
  const client = await clientFor(flags);
  // Names are looked up only once the command line is otherwise valid (no request for a typo).
  buildRequest(spec, args, { ...options, ...placeholdersFor(spec, options) });
  await resolveNames(spec, client, options);
  const req = buildRequest(spec, args, options);
  if (spec.binary) {
    await client.download(req.path, req.query, flags.output);
    return;
  }
  if (spec.method === "GET" && spec.paged) {
    print(await readList(client, req.path, req.query, !!flags.all), flags);
    return;
  }
  const answer = await client.request(spec.method, req.path, { query: req.query, body: req.body });
  const location = answer.headers.get("location");
  if (answer.status === 202 && flags.wait && spec.follow && location) {
    const settled = await waitForWork(client, location, spec.follow, waitOptionsOf(flags));
    if (settled) print(settled, flags);
    return;
  }
  print(answer.body, flags);
}

/** Adds `<resource> <action>` under `program` for the spec (the resource command made once). */
export function addGeneratedCommand(program: Command, spec: CommandSpec): Command {
  let group = program.commands.find((c) => c.name() === spec.resource);
  if (!group) group = program.command(spec.resource).description(spec.tag);
  if (group.commands.some((c) => c.name() === spec.action)) return group;
  const cmd = group.command(spec.action).description(spec.summary);
  for (const p of spec.pathParams) cmd.argument(`<${p.name}>`, describeType(p.schema));
  for (const f of spec.fields) {
    const type = describeType(f.schema);
    const def = f.schema?.default !== undefined ? `; default ${JSON.stringify(f.schema.default)}` : "";
    const text = `${f.required ? "(required) " : ""}${type}${def}`;
    const flag = isFlag(f.schema) ? `--${f.option} [true|false]` : `--${f.option} <${placeholder(f.schema)}>`;
    const option = new Option(flag, text);
    if (isList(f.schema)) option.argParser(collect);
    cmd.addOption(option);
  }
  for (const f of spec.fields) {
    const alias = BY_NAME[f.name];
    if (alias && f.in === "body" && !spec.fields.some((o) => o.option === alias.option))
      cmd.option(
        `--${alias.option} <name-or-id>`,
        `the ${alias.option} by name or id (instead of --${f.option})`,
      );
  }
  if (spec.fields.some((f) => f.in === "body"))
    cmd.option("--data <json>", "the whole JSON body (options override its fields)");
  if (spec.paged) cmd.option("--all", "every page (else the first, and a hint on stderr)");
  if (spec.follow) {
    cmd.option(
      "--wait",
      `wait until the ${spec.follow} settles, progress on stderr (exit 4 if it ends in error)`,
    );
    cmd.option("--wait-timeout <seconds>", "give up waiting after this long (default 1800)");
  }
  if (spec.binary) cmd.option("-o, --output <file>", "write the file here (else stdout)");
  addCommonOptions(cmd, { output: !spec.binary });
  cmd.addHelpText("after", `\n${spec.method} /api/v1${spec.path}${spec.who ? `\n${spec.who}` : ""}`);
  cmd.action(async (...received: unknown[]) => {
    // Commander passes the positional arguments, then the options object, then the command.
    const args = received.slice(0, spec.pathParams.length).map(String);
    await run(spec, cmd, args);
  });
  return cmd;
}
