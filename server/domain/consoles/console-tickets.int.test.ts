import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  contextFor,
  makeFlavor,
  makeHost,
  makeImageRow,
  makeInstanceRow,
  makeUser,
  openTestServices,
  testSettings,
  type TestServices,
} from "@/server/testing/fixtures";
import { consumeConsoleTicket, createConsoleTicket } from "./console-tickets";

let s: TestServices;
let ids: { hostId: string; flavorId: number; imageId: string };
beforeAll(async () => {
  s = openTestServices();
  ids = { hostId: await makeHost(s), flavorId: await makeFlavor(s), imageId: await makeImageRow(s) };
});
afterAll(() => s.close());
const store = () => ({ redis: s.redis, prefix: s.prefix, key: testSettings().consoleTicketKey });

const vmOf = (ownerId: number, state: "RUNNING" | "STOPPED" = "RUNNING") =>
  makeInstanceRow(s, { ownerId, groupId: null, ...ids, state });

describe("console tickets", () => {
  it("a ticket is used once: the second use (a replay) finds nothing", async () => {
    const u = await makeUser(s, "user");
    const { ticket, path } = await callerFor(s, u).consoles.createTicket({
      instanceId: await vmOf(u.id),
      kind: "vnc",
    });
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(path).toMatch(/^\/console\/vnc\/[0-9a-f-]{36}$/);
    expect(await consumeConsoleTicket(store(), ticket)).toMatchObject({
      userId: u.id,
      kind: "vnc",
    });
    expect(await consumeConsoleTicket(store(), ticket)).toBeNull();
  });

  it("expires: a ticket is no good after its lifetime (30 s; here 100 ms)", async () => {
    const u = await makeUser(s, "user");
    const { ticket } = await createConsoleTicket(
      contextFor(s, u),
      { instanceId: await vmOf(u.id), kind: "serial" },
      { ttlMs: 100 },
    );
    await new Promise((r) => setTimeout(r, 250));
    expect(await consumeConsoleTicket(store(), ticket)).toBeNull();
  });

  it("is refused for someone else's instance and for a stopped one", async () => {
    const owner = await makeUser(s, "user");
    const other = await makeUser(s, "user");
    const err = await callerFor(s, other)
      .consoles.createTicket({ instanceId: await vmOf(owner.id), kind: "vnc" })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe("FORBIDDEN");
    const stopped = await callerFor(s, owner)
      .consoles.createTicket({ instanceId: await vmOf(owner.id, "STOPPED"), kind: "vnc" })
      .catch((e: TRPCError) => e);
    expect((stopped as TRPCError).code).toBe("CONFLICT");
    expect((stopped as TRPCError).message).toMatch(/start it to open its console/);
  });

  it("stores only a hash of the ticket, and the audit log never holds it", async () => {
    const u = await makeUser(s, "user");
    const { ticket } = await callerFor(s, u).consoles.createTicket({
      instanceId: await vmOf(u.id),
      kind: "vnc",
    });
    const keys = await s.redis.keys(`${s.prefix}:console-ticket:*`);
    for (const k of keys) {
      expect(k).not.toContain(ticket);
      expect(await s.redis.get(k)).not.toContain(ticket);
    }
    const { auditLog } = await import("@/db/schema");
    const rows = await s.db.select().from(auditLog);
    expect(JSON.stringify(rows)).not.toContain(ticket);
  });

  it("junk is simply not a ticket", async () => {
    for (const junk of ["", "short", "x".repeat(43).replace(/x/, "%"), "a".repeat(200)]) {
      expect(await consumeConsoleTicket(store(), junk)).toBeNull();
    }
  });
});
