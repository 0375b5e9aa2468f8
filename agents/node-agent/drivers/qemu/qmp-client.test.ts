import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QmpClient, QmpCommandError, QmpConnectionError } from "./qmp-client";
import { reply, startFakeQmp } from "./testing/fake-qmp";

const execFileAsync = promisify(execFile);

describe("QmpClient", () => {
  let dir: string;
  let server: Server | undefined;
  let n = 0;
  const nextPath = () => join(dir, `qmp-${++n}.sock`);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "qmp-"));
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads the greeting, negotiates capabilities and matches answers to commands by id", async () => {
    const path = nextPath();
    server = await startFakeQmp(
      path,
      (m, s) => {
        // Answer out of order: the slow command first asked, last answered.
        if (m.execute === "slow") setTimeout(() => reply(s, { return: "slow-done", id: m.id }), 50);
        else reply(s, { return: { status: "running", echo: m.arguments }, id: m.id });
      },
      { splitGreeting: true },
    );
    const qmp = await QmpClient.connect(path);
    expect(qmp.greeting.version.qemu.major).toBe(7);
    const slow = qmp.execute("slow");
    const fast = qmp.execute("query-status", { x: 1 });
    expect(await fast).toEqual({ status: "running", echo: { x: 1 } });
    expect(await slow).toBe("slow-done");
    qmp.close();
  });

  it("rejects with QEMU's error class and description", async () => {
    const path = nextPath();
    server = await startFakeQmp(path, (m, s) =>
      reply(s, {
        error: { class: "CommandNotFound", desc: "The command nope has not been found" },
        id: m.id,
      }),
    );
    const qmp = await QmpClient.connect(path);
    const error = await qmp.execute("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QmpCommandError);
    expect((error as QmpCommandError).errorClass).toBe("CommandNotFound");
    expect((error as Error).message).toContain("The command nope has not been found");
    qmp.close();
  });

  it("delivers events to listeners and to waitForEvent", async () => {
    const path = nextPath();
    server = await startFakeQmp(path, (m, s) => {
      reply(s, { return: {}, id: m.id });
      reply(s, { event: "POWERDOWN", timestamp: { seconds: 1, microseconds: 2 } });
      reply(s, {
        event: "SHUTDOWN",
        data: { guest: true, reason: "guest-shutdown" },
        timestamp: { seconds: 1, microseconds: 3 },
      });
    });
    const qmp = await QmpClient.connect(path);
    const seen: string[] = [];
    qmp.onEvent((e) => seen.push(e.event));
    const shutdown = qmp.waitForEvent("SHUTDOWN", 2_000);
    await qmp.execute("system_powerdown");
    expect((await shutdown)?.data).toEqual({ guest: true, reason: "guest-shutdown" });
    expect(seen).toEqual(["POWERDOWN", "SHUTDOWN"]);
    expect(await qmp.waitForEvent("RESET", 50)).toBeNull();
    qmp.close();
  });

  it("times out a command that gets no answer", async () => {
    const path = nextPath();
    server = await startFakeQmp(path, () => undefined);
    const qmp = await QmpClient.connect(path);
    await expect(qmp.execute("hang", undefined, { timeoutMs: 50 })).rejects.toThrow(/no answer within 50 ms/);
    qmp.close();
  });

  it("rejects pending commands when QEMU closes the connection, and reports the close", async () => {
    const path = nextPath();
    server = await startFakeQmp(path, (m, s) => (m.execute === "quit" ? s.end() : undefined));
    const qmp = await QmpClient.connect(path);
    const closed = qmp.waitForClose(2_000);
    await expect(qmp.execute("quit")).rejects.toThrow(QmpConnectionError);
    expect(await closed).toBe(true);
    expect(qmp.isClosed).toBe(true);
    await expect(qmp.execute("query-status")).rejects.toThrow(/closed/);
  });

  it("fails clearly without a socket, and without a greeting", async () => {
    await expect(QmpClient.connect(join(dir, "missing.sock"))).rejects.toThrow(
      /cannot connect to QMP .*missing\.sock/,
    );
    const path = nextPath();
    server = await startFakeQmp(path, () => undefined, { greet: false });
    await expect(QmpClient.connect(path, { timeoutMs: 100 })).rejects.toThrow(
      /no QMP greeting .* within 100 ms/,
    );
  });

  it("refuses a peer that is not QMP", async () => {
    const path = nextPath();
    server = createServer((socket) => socket.end("hello\n"));
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    await expect(QmpClient.connect(path, { timeoutMs: 500 })).rejects.toThrow(/closed before its greeting/);
  });

  it("knocks again on a socket QEMU has bound but not yet listens on, until QMP answers or time is up", async () => {
    const path = nextPath();
    // A bound, never-listening unix socket, as QEMU's is between bind() and listen(): connect is refused.
    await execFileAsync("python3", [
      "-c",
      "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])",
      path,
    ]);
    await expect(QmpClient.connect(path, { timeoutMs: 300 })).rejects.toThrow(/ECONNREFUSED/);
    // QEMU gets to listen() 400 ms later: a client already knocking gets in.
    const late = setTimeout(() => {
      void rm(path).then(async () => {
        server = await startFakeQmp(path, (m, sock) => reply(sock, { return: {}, id: m.id }));
      });
    }, 400);
    try {
      const qmp = await QmpClient.connect(path, { timeoutMs: 5_000 });
      expect(qmp.greeting.version.qemu.major).toBe(7);
      qmp.close();
    } finally {
      clearTimeout(late);
    }
  });
});
