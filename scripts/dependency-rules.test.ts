// The dependency rules of `npm run lint`, run on small trees laid out like the repository: a clean tree
// passes, and each rule catches one deliberate violation of it (and no other rule fires).
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkDependencies } from "./check-dependencies";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const tempDirs: string[] = [];

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022",
    module: "esnext",
    moduleResolution: "bundler",
    jsx: "react-jsx",
    strict: true,
    // Without baseUrl, "@/*" would resolve against the working directory (the repository), not the tree.
    baseUrl: ".",
    paths: { "@/*": ["./*"] },
  },
  include: ["**/*.ts", "**/*.tsx"],
});

// Every import here is allowed; each case below adds one file that breaks one rule.
const CLEAN_TREE: Record<string, string> = {
  "common/instance-state.ts": `import { z } from "zod";\nexport const stateSchema = z.enum(["running", "stopped"]);\n`,
  "agents/protocol/index.ts":
    `import { createHash } from "node:crypto";\nimport { z } from "zod";\n` +
    `export const jobSchema = z.object({ id: z.string() });\nexport const digest = (s: string) => createHash("sha256").update(s).digest("hex");\n`,
  "agents/protocol/index.test.ts": `import { it } from "vitest";\nimport { jobSchema } from "./index";\nit("parses", () => { jobSchema.parse({ id: "a" }); });\n`,
  "agents/node-agent/run-job.ts": `import { jobSchema } from "@/agents/protocol";\nexport const runJob = (raw: unknown) => jobSchema.parse(raw);\n`,
  // An integration test and the harness may start the agent's code next to the portal's.
  "agents/node-agent/run-job.int.test.ts": `import { listThings } from "@/server/domain/things/list-things";\nexport const t = listThings;\n`,
  "server/testing/compute-stack.ts": `import { runJob } from "@/agents/node-agent/run-job";\nexport const stack = { runJob };\n`,
  "db/schema.ts": `import type { jobSchema } from "@/agents/protocol";\nexport type Row = { id: string; job: typeof jobSchema };\n`,
  "server/domain/widgets/count-widgets.ts": `import { randomUUID } from "node:crypto";\nexport const countWidgets = () => randomUUID().length;\n`,
  "server/domain/things/list-things.ts":
    `import { z } from "zod";\nimport { stateSchema } from "@/common/instance-state";\nimport { countWidgets } from "@/server/domain/widgets/count-widgets";\n` +
    `export const listThings = () => [{ n: countWidgets(), state: stateSchema.parse("running"), id: z.string().parse("x") }];\n`,
  // A test may reach back into the area that depends on its own: tests make no cycle between areas.
  "server/domain/widgets/count-widgets.test.ts": `import { listThings } from "@/server/domain/things/list-things";\nexport const t = listThings;\n`,
  "server/api/root.ts":
    `import { initTRPC } from "@trpc/server";\nimport { listThings } from "@/server/domain/things/list-things";\n` +
    `const t = initTRPC.create();\nexport const appRouter = t.router({ things: t.procedure.query(() => listThings()) });\nexport type AppRouter = typeof appRouter;\n`,
  "server/http/things.ts": `import { listThings } from "@/server/domain/things/list-things";\nexport async function GET() { return Response.json(listThings()); }\n`,
  // The CLI: its own files, common/ and npm packages (and node built-ins); its tests may use fixtures.
  "cli/list-things.ts":
    `import { readFile } from "node:fs/promises";\nimport { z } from "zod";\nimport { stateSchema } from "@/common/instance-state";\n` +
    `export const read = async (p: string) => z.array(stateSchema).parse(JSON.parse(await readFile(p, "utf8")));\n`,
  "cli/main.ts": `import { read } from "./list-things";\nexport const main = read;\n`,
  "cli/list-things.test.ts": `import { listThings } from "@/server/domain/things/list-things";\nexport const t = listThings;\n`,
  "app/api/v1/things/route.ts": `export { GET } from "@/server/http/things";\n`,
  "app/_trpc/client.ts": `import type { AppRouter } from "@/server/api/root";\nexport type Client = AppRouter;\n`,
  "app/(portal)/things/thing-row.tsx":
    `import { stateSchema } from "@/common/instance-state";\nimport { jobSchema } from "@/agents/protocol";\n` +
    `export const ThingRow = () => <span>{stateSchema.options.length}{String(jobSchema)}</span>;\n`,
};

async function checkTree(extra: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "dependency-rules-"));
  tempDirs.push(dir);
  await symlink(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  const files = { "tsconfig.json": TSCONFIG, ...CLEAN_TREE, ...extra };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return checkDependencies(dir);
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("dependency rules", () => {
  it("pass a tree that keeps every rule", { timeout: 30_000 }, async () => {
    expect(await checkTree({})).toEqual([]);
  });

  const cases: { rule: string; why: string; file: string; content: string }[] = [
    {
      rule: "app-no-server-internals",
      why: "a page imports a domain module",
      file: "app/(portal)/things/page.tsx",
      content: `import { listThings } from "@/server/domain/things/list-things";\nexport default function P() { return <p>{listThings().length}</p>; }\n`,
    },
    {
      rule: "app-no-server-internals",
      why: "a component takes a row type from db/ (types too: they are the UI's API contract)",
      file: "app/(portal)/things/thing-cell.tsx",
      content: `import type { Row } from "@/db/schema";\nexport const Cell = (p: { row: Row }) => <td>{p.row.id}</td>;\n`,
    },
    {
      rule: "app-server-api-root-types-only",
      why: "the client imports the router itself, not its type",
      file: "app/_trpc/server.ts",
      content: `import { appRouter } from "@/server/api/root";\nexport const router = appRouter;\n`,
    },
    {
      rule: "app-server-http-only-from-route-files",
      why: "a page (not a route file) imports an HTTP handler",
      file: "app/(portal)/things/refresh.ts",
      content: `import { GET } from "@/server/http/things";\nexport const refresh = () => GET();\n`,
    },
    {
      rule: "route-files-only-server-http",
      why: "a route file parses the agent protocol itself",
      file: "app/api/v1/agent/join/route.ts",
      content: `import { jobSchema } from "@/agents/protocol";\nexport async function POST(req: Request) { return Response.json(jobSchema.parse(await req.json())); }\n`,
    },
    {
      rule: "domain-no-transport",
      why: "a domain function throws a tRPC error",
      file: "server/domain/things/delete-thing.ts",
      content: `import { TRPCError } from "@trpc/server";\nexport const deleteThing = () => { throw new TRPCError({ code: "NOT_FOUND" }); };\n`,
    },
    {
      rule: "domain-no-transport",
      why: "a domain function imports the tRPC layer",
      file: "server/domain/things/router-aware.ts",
      content: `import type { AppRouter } from "@/server/api/root";\nexport type R = AppRouter;\n`,
    },
    {
      rule: "domain-no-transport",
      why: "a domain function serves HTTP itself",
      file: "server/domain/things/serve.ts",
      content: `import { createServer } from "node:http";\nexport const serve = () => createServer();\n`,
    },
    {
      rule: "portal-not-to-agent",
      why: "the portal constructs an agent driver",
      file: "server/main.ts",
      content: `import { runJob } from "@/agents/node-agent/run-job";\nexport const main = () => runJob({ id: "a" });\n`,
    },
    {
      rule: "agent-not-to-portal",
      why: "the agent reads the portal's database schema",
      file: "agents/node-agent/main.ts",
      content: `import type { Row } from "@/db/schema";\nexport type R = Row;\n`,
    },
    {
      rule: "protocol-only-zod",
      why: "the protocol imports client-safe code from the portal side",
      file: "agents/protocol/state.ts",
      content: `import { stateSchema } from "@/common/instance-state";\nexport const s = stateSchema;\n`,
    },
    {
      rule: "no-domain-area-cycles",
      why: "widgets imports things, which already imports widgets",
      file: "server/domain/widgets/widget-owners.ts",
      content: `import { listThings } from "@/server/domain/things/list-things";\nexport const owners = () => listThings();\n`,
    },
    {
      rule: "common-only-zod",
      why: "client-safe code imports a node built-in",
      file: "common/ids.ts",
      content: `import { randomUUID } from "node:crypto";\nexport const newId = () => randomUUID();\n`,
    },
    {
      rule: "common-only-zod",
      why: "client-safe code imports the domain",
      file: "common/things.ts",
      content: `import { listThings } from "@/server/domain/things/list-things";\nexport const t = listThings;\n`,
    },
    {
      rule: "cli-only-cli-common-npm",
      why: "the command-line client imports the domain instead of calling the API",
      file: "cli/things-command.ts",
      content: `import { listThings } from "@/server/domain/things/list-things";\nexport const t = listThings;\n`,
    },
    {
      rule: "no-unresolvable-imports",
      why: "an import no rule can judge because it resolves to nothing",
      file: "server/domain/things/lost.ts",
      content: `import { gone } from "@/server/domain/things/moved-away";\nexport const g = gone;\n`,
    },
  ];

  it.each(cases)("catch $rule: $why", { timeout: 30_000 }, async ({ rule, file, content }) => {
    const violations = await checkTree({ [file]: content });
    expect(violations.map((v) => v.rule)).toEqual([rule]);
    const [violation] = violations;
    if (violation?.cycle)
      expect(violation.imports).toContain(`${file} -> server/domain/things/list-things.ts`);
    else expect(violation?.from).toBe(file);
  });
});
