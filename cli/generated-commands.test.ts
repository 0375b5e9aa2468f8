// The commands made from the portal's real OpenAPI document: every operation has one (with --help naming
// its options, their types, which are required and who may call it), and a run of `educloud` against a
// stand-in portal on loopback sends the request the document describes, prints the answer and exits with
// the documented code.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildOpenApiDocument } from "@/server/http/rest/openapi-document";
import { TRANSITIONAL_STATES } from "@/common/instance-states";
import { EXIT } from "./exit-codes";
import { MOVING_STATES } from "./follow-work";
import { buildRequest, commandSpecOf, pickByName, type CommandSpec } from "./generated-commands";
import { buildProgram, commandWords, main } from "./main";
import { operationsOf, openApiDocumentSchema } from "./openapi-spec";
import { json, startStubPortal, type StubHandler } from "./testing/stub-portal";

const doc = openApiDocumentSchema.parse(buildOpenApiDocument());
const specs = operationsOf(doc).flatMap((o) => commandSpecOf(o) ?? []);
const specOf = (resource: string, action: string) =>
  specs.find((s) => s.resource === resource && s.action === action)!;

describe("commands from the OpenAPI document", () => {
  it("give every REST operation one command, named after its procedure", () => {
    const names = specs.map((s) => `${s.resource} ${s.action}`);
    expect(names.length).toBe(new Set(names).size);
    const procedures = operationsOf(doc).filter((o) => o.op["x-educloud-procedure"]);
    expect(specs.length).toBeGreaterThanOrEqual(procedures.length);
    expect(names).toContain("instances create");
    expect(names).toContain("consoles create-ticket");
    expect(names).toContain("users import-csv");
    expect(names).toContain("images download");
  });

  it("take path parameters as arguments, in path order", () => {
    expect(specOf("ipam", "carve-subnet").pathParams.map((p) => p.name)).toEqual(["networkId"]);
    expect(specOf("instances", "get").pathParams.map((p) => p.name)).toEqual(["id"]);
  });

  it("have --help for each, with the options' types, what is required and who may call it", () => {
    const program = buildProgram(specs);
    for (const spec of specs) {
      const group = program.commands.find((c) => c.name() === spec.resource)!;
      const cmd = group.commands.find((c) => c.name() === spec.action)!;
      let help = "";
      cmd.configureOutput({ writeOut: (s) => (help += s) });
      cmd.outputHelp();
      for (const f of spec.fields) expect(help, `${spec.resource} ${spec.action}`).toContain(`--${f.option}`);
      if (spec.who) expect(help).toContain("Who may call:");
    }
    let help = "";
    const create = program.commands
      .find((c) => c.name() === "instances")!
      .commands.find((c) => c.name() === "create")!;
    create.configureOutput({ writeOut: (s) => (help += s) });
    create.outputHelp();
    expect(help).toMatch(/--flavor-id <integer>\s+\(required\) integer/);
    expect(help).toMatch(/--image <name-or-id>/);
    expect(help).toMatch(/--wait/);
    expect(help).toContain("Who may call: user and above.");
  });

  it("build the request: body fields for writes, query for reads, arguments in the path", () => {
    const create = buildRequest(specOf("instances", "create"), [], {
      name: "web-1",
      imageId: "0b6f7d7e-1111-4222-8333-944445555666",
      flavorId: "2",
      nics: ['{"networkId":"n1"}'],
    });
    expect(create.path).toBe("/instances");
    expect(create.body).toEqual({
      name: "web-1",
      imageId: "0b6f7d7e-1111-4222-8333-944445555666",
      flavorId: 2,
      nics: [{ networkId: "n1" }],
    });
    const list = buildRequest(specOf("instances", "list"), [], { includeDeleted: true });
    expect(list.body).toBeUndefined();
    expect(list.query.get("includeDeleted")).toBe("true");
    const ticket = buildRequest(specOf("consoles", "create-ticket"), ["a/b"], { kind: "serial" });
    expect(ticket.path).toBe("/instances/a%2Fb/console");
    expect(() => buildRequest(specOf("instances", "create"), [], { name: "x" })).toThrow(/Missing required/);
    const data = buildRequest(specOf("flavors", "update"), ["4"], { data: '{"name":"m1.big"}', vcpus: "2" });
    expect(data.body).toEqual({ name: "m1.big", vcpus: 2 });
  });

  it("find an image or flavor by name or id, and refuse an ambiguous name", () => {
    const flavors = [
      { id: 1, name: "m1.tiny" },
      { id: 2, name: "m1.small" },
      { id: 3, name: "m1.small" },
    ];
    expect(pickByName(flavors, "m1.tiny", "flavor")).toBe(1);
    expect(pickByName(flavors, "3", "flavor")).toBe(3);
    expect(() => pickByName(flavors, "m1.small", "flavor")).toThrow(/Several flavors .* \(2, 3\)/);
    expect(() => pickByName(flavors, "m9", "flavor")).toThrow(/No flavor named "m9"/);
  });

  it("know the same moving instance states as the portal", () => {
    expect([...MOVING_STATES].sort()).toEqual([...TRANSITIONAL_STATES].sort());
  });

  it("find the command words among global options", () => {
    expect(commandWords(["-f", "json", "instances", "list", "--all"])).toEqual(["instances", "list"]);
    expect(commandWords(["--url", "http://x", "whoami"])).toEqual(["whoami"]);
  });
});

describe("running educloud against a portal", () => {
  let home: string;
  let out = "";
  let err = "";
  let handler: StubHandler = () => false;
  let portal: Awaited<ReturnType<typeof startStubPortal>>;

  beforeAll(async () => {
    portal = await startStubPortal(buildOpenApiDocument(), (req, res) => handler(req, res));
  });
  afterAll(() => portal.close());

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "educloud-cli-"));
    vi.stubEnv("XDG_CONFIG_HOME", join(home, "config"));
    vi.stubEnv("XDG_CACHE_HOME", join(home, "cache"));
    vi.stubEnv("EDUCLOUD_URL", portal.url);
    vi.stubEnv("EDUCLOUD_TOKEN", "ect_1_secret");
    vi.stubEnv("EDUCLOUD_POLL_MS", "5");
    out = "";
    err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
    portal.requests.length = 0;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await rm(home, { recursive: true, force: true });
  });

  const view = (state: string, task: string | null, extra = {}) => ({
    id: "i-1",
    name: "web-1",
    state,
    task,
    ...extra,
  });

  it("instances create --image NAME --flavor NAME --wait: looks up the ids, posts, follows Location to the end", async () => {
    let polls = 0;
    handler = (req, res) => {
      if (req.url.startsWith("/api/v1/images")) return void json(res, 200, [{ id: "img-1", name: "Debian" }]);
      if (req.url.startsWith("/api/v1/flavors")) return void json(res, 200, [{ id: 7, name: "m1.tiny" }]);
      if (req.method === "POST" && req.url === "/api/v1/instances")
        return void json(res, 202, view("SCHEDULED", "creating"), { location: "/api/v1/instances/i-1" });
      if (req.url === "/api/v1/instances/i-1") {
        polls++;
        return void json(
          res,
          200,
          polls < 3 ? view("BUILDING", "creating", { progress: 40 }) : view("RUNNING", null),
        );
      }
    };
    const code = await main([
      "instances",
      "create",
      "--name",
      "web-1",
      "--image",
      "Debian",
      "--flavor",
      "m1.tiny",
      "--wait",
      "-f",
      "json",
    ]);
    expect(code).toBe(EXIT.ok);
    const post = portal.requests.find((r) => r.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ name: "web-1", imageId: "img-1", flavorId: 7 });
    expect(post.headers.authorization).toBe("Bearer ect_1_secret");
    expect(JSON.parse(out)).toMatchObject({ id: "i-1", state: "RUNNING", task: null });
    expect(err).toContain("web-1: BUILDING, creating 40%");
  });

  it("--wait exits 4 when the instance ends in ERROR, with its reason", async () => {
    handler = (req, res) => {
      if (req.method === "POST")
        return void json(res, 202, view("PENDING", "starting"), { location: "/api/v1/instances/i-1" });
      if (req.url === "/api/v1/instances/i-1")
        return void json(res, 200, view("ERROR", null, { errorReason: "no host has room" }));
    };
    expect(await main(["instances", "start", "i-1", "--wait"])).toBe(EXIT.failed);
    expect(err).toContain("web-1 ended in ERROR: no host has room");
  });

  it("delete --wait ends when the instance is gone", async () => {
    handler = (req, res) => {
      if (req.method === "DELETE")
        return void json(res, 202, view("DELETING", "deleting"), { location: "/api/v1/instances/i-1" });
      if (req.url === "/api/v1/instances/i-1") return false;
    };
    expect(await main(["instances", "delete", "i-1", "--wait"])).toBe(EXIT.ok);
  });

  it("a refusal: the portal's message and fields on stderr, exit 1", async () => {
    handler = (req, res) => {
      if (req.method === "POST")
        return void json(res, 400, {
          error: "INVALID",
          message: "The input is not valid.",
          fieldErrors: { flavorId: "No such flavor." },
        });
    };
    expect(await main(["instances", "create", "--name", "x", "--image-id", "u", "--flavor-id", "999"])).toBe(
      EXIT.refused,
    );
    expect(err).toContain("educloud: The input is not valid.");
    expect(err).toContain("flavorId: No such flavor.");
    expect(out).toBe("");
  });

  it("usage errors exit 2 without a request", async () => {
    expect(await main(["instances", "create", "--name", "x", "--image-id", "u", "--flavor-id", "one"])).toBe(
      EXIT.usage,
    );
    expect(await main(["instances", "frobnicate"])).toBe(EXIT.usage);
    expect(await main(["instances", "list", "-f", "xml"])).toBe(EXIT.usage);
    expect(portal.requests.filter((r) => r.url !== "/api/v1/openapi.json")).toEqual([]);
  });

  it("an unreachable portal exits 3", async () => {
    expect(await main(["--url", "http://127.0.0.1:9", "whoami"])).toBe(EXIT.network);
    expect(err).toMatch(/Could not reach the portal at http:\/\/127.0.0.1:9/);
  });

  it("lists: the first page and a hint, or every page with --all", async () => {
    handler = (req, res) => {
      if (!req.url.startsWith("/api/v1/audit")) return false;
      const cursor = new URL(req.url, "http://x").searchParams.get("cursor");
      if (!cursor) return void json(res, 200, { items: [{ id: 1 }, { id: 2 }], nextCursor: "c2", total: 3 });
      return void json(res, 200, { items: [{ id: 3 }], nextCursor: null, total: 3 });
    };
    const paged = specs.some((s) => s.resource === "audit" && s.action === "list" && s.paged);
    if (!paged) {
      // The document of this portal does not page audit yet: the list is printed as it came.
      expect(await main(["audit", "list", "-f", "value", "-c", "id"])).toBe(EXIT.ok);
      return;
    }
    expect(await main(["audit", "list", "-f", "value", "-c", "id"])).toBe(EXIT.ok);
    expect(out).toBe("1\n2\n");
    expect(err).toContain("--all");
    out = "";
    expect(await main(["audit", "list", "--all", "-f", "value", "-c", "id"])).toBe(EXIT.ok);
    expect(out).toBe("1\n2\n3\n");
  });

  it("instances console-url: asks for a ticket, prints the console page's address", async () => {
    handler = (req, res) => {
      if (req.method === "POST" && req.url === "/api/v1/instances/i-1/console")
        return void json(res, 200, {
          ticket: "t0k",
          path: "/console/serial/i-1",
          expiresAt: "2026-01-01T00:00:30Z",
        });
    };
    expect(await main(["instances", "console-url", "i-1", "--kind", "serial"])).toBe(EXIT.ok);
    expect(out).toBe(`${portal.url}/instances/i-1/console?view=serial\n`);
    expect(JSON.parse(portal.requests.at(-1)!.body)).toEqual({ kind: "serial" });
    out = "";
    expect(await main(["instances", "console-url", "i-1", "-f", "json"])).toBe(EXIT.ok);
    expect(JSON.parse(out)).toMatchObject({
      url: `${portal.url}/instances/i-1/console`,
      socket: `${portal.url.replace("http", "ws")}/console/serial/i-1?ticket=t0k`,
    });
  });

  it("login saves the portal and token with mode 0600 once the portal accepts the token; whoami reads it", async () => {
    vi.stubEnv("EDUCLOUD_URL", "");
    vi.stubEnv("EDUCLOUD_TOKEN", "");
    handler = (req, res) => {
      if (req.url !== "/api/v1/account") return false;
      if (req.headers.authorization !== "Bearer ect_9_good")
        return void json(res, 401, { error: "UNAUTHORIZED", message: "Sign in." });
      return void json(res, 200, { username: "admin", role: "superAdm" });
    };
    expect(await main(["login", "--url", portal.url + "/", "--token", "ect_9_bad"])).toBe(EXIT.refused);
    expect(await main(["login", "--url", portal.url + "/", "--token", "ect_9_good"])).toBe(EXIT.ok);
    const { stat, readFile } = await import("node:fs/promises");
    const file = join(home, "config", "educloud", "config.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ url: portal.url, token: "ect_9_good" });
    expect(await main(["whoami", "-f", "value", "-c", "username"])).toBe(EXIT.ok);
    expect(out).toBe("admin\n");
  });

  it("users import: each row with its password; exit 1 when a row was not created", async () => {
    const { writeFile } = await import("node:fs/promises");
    const csv = join(home, "class.csv");
    await writeFile(csv, "username,display name\nann,Ann\nbob,Bob\n");
    handler = (req, res) => {
      if (req.url !== "/api/v1/users/import") return false;
      expect(JSON.parse(req.body)).toEqual({ csv: "username,display name\nann,Ann\nbob,Bob\n" });
      return void json(res, 200, [
        { line: 2, username: "ann", status: "created", password: "pw-ann" },
        {
          line: 3,
          username: "bob",
          status: "error",
          error: { code: "users.nameTaken", params: { name: "bob" } },
        },
        { line: 4, username: "cy", status: "error", error: { code: "no.suchCode", params: {} } },
      ]);
    };
    expect(
      await main(["users", "import", csv, "-f", "csv", "-c", "username", "-c", "password", "-c", "error"]),
    ).toBe(EXIT.refused);
    // Row reasons come as codes: worded from the English catalogue, or shown as the code.
    expect(out).toBe(
      "username,password,error\r\nann,pw-ann,\r\nbob,,A user named “bob” already exists.\r\ncy,,no.suchCode\r\n",
    );
    expect(err).toContain("1 created, 2 not.");
  });

  it("api: any path, the body as it came, exit 1 on an error status", async () => {
    handler = (req, res) => {
      if (req.url === "/api/v1/flavors?limit=1") return void json(res, 200, [{ id: 1 }]);
      if (req.url === "/api/v1/nope") return void json(res, 404, { error: "NOT_FOUND", message: "No route" });
    };
    expect(await main(["api", "GET", "/flavors?limit=1"])).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual([{ id: 1 }]);
    out = "";
    expect(await main(["api", "/nope"])).toBe(EXIT.refused);
    expect(JSON.parse(out)).toMatchObject({ error: "NOT_FOUND" });
  });
});

export type { CommandSpec };
