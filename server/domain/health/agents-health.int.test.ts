import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hosts } from "@/db/schema";
import { getSystemQueue } from "@/server/queue";
import { makeHost, openTestServices, type TestServices } from "@/server/testing/fixtures";
import { checkHealth } from "./check-health";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

describe("health of compute hosts", () => {
  it("an enabled host without a heartbeat for longer than the limit is reported by name; disabling it clears that", async () => {
    const id = await makeHost(s, { up: false });
    const [row] = await s.db.select().from(hosts).where(eq(hosts.id, id));
    const report = await checkHealth({
      db: s.db,
      redis: s.redis,
      queue: getSystemQueue(),
      hostDownAfterSeconds: 30,
    });
    const agents = report.checks.find((c) => c.name === "agents")!;
    expect(agents.ok).toBe(false);
    expect(agents.error).toContain(row!.name);
    expect(report.status).toBe("degraded");

    await s.db.update(hosts).set({ enabled: false }).where(eq(hosts.id, id));
    const after = (
      await checkHealth({ db: s.db, redis: s.redis, queue: getSystemQueue(), hostDownAfterSeconds: 30 })
    ).checks.find((c) => c.name === "agents")!;
    expect(after.error ?? "").not.toContain(row!.name);
  });
});
