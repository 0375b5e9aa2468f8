import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { createDatabase, type DatabaseHandle } from "@/server/db/client";
import { getSystemQueue } from "@/server/queue";
import { contextFor, makeUser, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { CuttableProxy } from "@/server/testing/tcp-proxy";
import type { Actor } from "../context";
import { checkHealth } from "./check-health";

let s: TestServices;
let proxy: CuttableProxy;
let viaProxy: DatabaseHandle;
let admin: Actor;

beforeAll(async () => {
  s = openTestServices();
  admin = await makeUser(s, "superAdm");
  const real = new URL(process.env.DATABASE_URL!);
  proxy = new CuttableProxy(real.hostname, Number(real.port || 3306));
  const port = await proxy.start();
  const url = new URL(real.toString());
  url.port = String(port);
  viaProxy = createDatabase(url.toString());
});
afterAll(async () => {
  await proxy.cut();
  await viaProxy.pool.end().catch(() => undefined);
  await s.close();
});

const caller = () => createCaller(contextFor(s, admin, "127.0.0.1", { db: viaProxy.db }));
const health = () =>
  checkHealth({
    db: viaProxy.db,
    redis: s.redis,
    queue: getSystemQueue(),
    hostDownAfterSeconds: 30,
    timeoutMs: 4000,
  });

describe("when the database goes away", () => {
  it("is healthy while the database answers", async () => {
    const report = await health();
    expect(report.checks.find((c) => c.name === "database")!.ok).toBe(true);
    expect(report.status).not.toBe("down"); // other hosts in this run's database may make it "degraded"
    expect((await caller().users.list({})).items.length).toBeGreaterThan(0);
  });

  it("health says the database is down, and procedures answer SERVICE_UNAVAILABLE with a clear message", async () => {
    await proxy.cut();
    const report = await health();
    expect(report.status).toBe("down");
    const db = report.checks.find((c) => c.name === "database")!;
    expect(db.ok).toBe(false);
    expect(db.error).toBeTruthy();
    expect(report.checks.find((c) => c.name === "redis")!.ok).toBe(true);

    const err = await caller()
      .users.list({})
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
    expect((err as TRPCError).message).toMatch(/database is unavailable/i);
  });

  it("recovers by itself when the database returns", async () => {
    await proxy.restore();
    const report = await health();
    expect(report.checks.find((c) => c.name === "database")!.ok).toBe(true);
    expect(report.status).not.toBe("down");
    expect((await caller().users.list({})).items.length).toBeGreaterThan(0);
  });
});
