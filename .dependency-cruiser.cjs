// Dependency rules for the seams between portal, agent, domain and transport. Check them with
// `npm run lint:deps` (scripts/check-dependencies.ts), which runs the folder-level cycle rule on the domain's
// own code alone; plain `depcruise` over the whole tree would also count detours through tests and harness.
// Paths are relative to the repository root; npm packages are matched wherever their node_modules is, so
// the same rules work on the fixture trees in scripts/dependency-rules.test.ts.

// Tests and test harnesses may cross the portal/agent line: an integration test starts a real agent (or a
// real QEMU driver) next to the portal. Nothing that ships imports them.
const TEST_CODE = "(\\.test\\.tsx?$|/testing/)";
const NPM = "(^|/)node_modules/";
const PORTAL = "^(app|server|db|common)/";
const AGENT = "^agents/node-agent/";
const DOMAIN = "^server/domain/";
const ROUTE_FILE = "^app/.*/route\\.tsx?$|^app/route\\.tsx?$";
// A type-only import vanishes at compile time, so it puts no server code into the browser bundle.
const TYPE_ONLY = ["type-only", "type-import"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // 1. The browser bundle and the pages import no database or server internals.
    {
      name: "app-no-server-internals",
      comment:
        "app/ imports nothing from db/ or server/: only types from server/api/root (the tRPC AppRouter) and, " +
        "from route files, handlers under server/http/. Shared enums and view schemas belong in common/.",
      severity: "error",
      from: { path: "^app/" },
      to: { path: "^(db|server)/", pathNot: "^server/(api/root\\.ts$|http/)" },
    },
    {
      name: "app-server-api-root-types-only",
      comment:
        "app/ may import server/api/root only with `import type` (the AppRouter type for the tRPC client).",
      severity: "error",
      from: { path: "^app/" },
      to: { path: "^server/api/root\\.ts$", dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: "app-server-http-only-from-route-files",
      comment:
        "Only route files (app/**/route.ts) may import server/http/ handlers; pages reach the session only " +
        "through server/http/page-session.ts.",
      severity: "error",
      from: { path: "^app/", pathNot: ROUTE_FILE },
      to: { path: "^server/http/", pathNot: "^server/http/page-session\\.ts$" },
    },
    // 2. A route file is a few lines handing the request to one handler.
    {
      name: "route-files-only-server-http",
      comment:
        "A route file (app/**/route.ts) imports only a handler from server/http/ (and, if it must, next): no " +
        "database, domain, auth, protocol or validation of its own.",
      severity: "error",
      from: { path: ROUTE_FILE },
      to: { pathNot: `^server/http/|${NPM}next/` },
    },
    // 3. The domain is transport-free, so REST, tRPC, uploads and the console all reach it the same way.
    {
      name: "domain-no-transport",
      comment:
        "server/domain/** imports no transport: not tRPC, Next, NextAuth, WebSockets, server/api, server/http, " +
        "server/console, server/uploads, nor node:http(s).",
      severity: "error",
      // Integration tests may drive the domain through the real tRPC router; the rule is for domain code.
      from: { path: DOMAIN, pathNot: "\\.int\\.test\\.ts$" },
      to: {
        path: [
          `${NPM}(@trpc/|next/|next-auth/|ws/)`,
          "^server/(api|http|console|uploads)/",
          "^(node:)?(http|https|http2)$",
        ],
      },
    },
    // 4. Portal and agent ship separately and meet only in the wire protocol.
    {
      name: "portal-not-to-agent",
      comment:
        "Portal code (app, server, db, common) never imports the node agent; share through agents/protocol.",
      severity: "error",
      from: { path: PORTAL, pathNot: TEST_CODE },
      to: { path: AGENT },
    },
    {
      name: "agent-not-to-portal",
      comment:
        "The node agent never imports portal code (app, server, db, common); share through agents/protocol.",
      severity: "error",
      from: { path: AGENT, pathNot: TEST_CODE },
      to: { path: PORTAL },
    },
    {
      name: "protocol-only-zod",
      comment:
        "agents/protocol is shared by portal and agent: it imports only zod, node built-ins and itself (both of " +
        "its users are Node processes; the console grant signs with node:crypto).",
      severity: "error",
      from: { path: "^agents/protocol/", pathNot: TEST_CODE },
      to: { pathNot: `^agents/protocol/|${NPM}zod/`, dependencyTypesNot: ["core"] },
    },
    // 5. Domain areas form a hierarchy, so a new area can depend on others without tangling them.
    {
      name: "no-domain-area-cycles",
      comment:
        "No import cycle between domain areas (server/domain/<a> -> <b> -> ... -> <a>). When two areas need " +
        "each other, one of them registers a handler (e.g. for agent events) instead of being imported.",
      severity: "error",
      scope: "folder",
      from: { path: "^server/domain/[^/]+" },
      to: { path: "^server/domain/[^/]+", circular: true },
    },
    // 6. common/ runs in the browser and on the server alike.
    {
      name: "common-only-zod",
      comment: "common/ is client-safe: it imports only zod and other common/ files.",
      severity: "error",
      from: { path: "^common/", pathNot: TEST_CODE },
      to: { pathNot: `^common/|${NPM}zod/` },
    },
    // 7. The command-line client talks to the portal over HTTP only, like any other script would.
    {
      name: "cli-only-cli-common-npm",
      comment:
        "cli/ (the educloud command) imports only cli/, common/ and npm packages: never the portal's server, " +
        "database or pages. It learns the API from the portal's OpenAPI document at run time.",
      severity: "error",
      from: { path: "^cli/", pathNot: TEST_CODE },
      to: { pathNot: `^(cli|common)/|${NPM}`, dependencyTypesNot: ["core"] },
    },
    // The rules above match resolved paths: an import the cruiser cannot resolve would slip past all of them.
    {
      name: "no-unresolvable-imports",
      comment:
        "dependency-cruiser could not resolve this import, so no rule can judge it (check tsconfig paths, " +
        "or the package is missing).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|var|test-results|playwright-report|e2e/\\.artifacts)/" },
    // Keep type-only imports in the graph: the rules above tell them apart from value imports.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
  },
};
