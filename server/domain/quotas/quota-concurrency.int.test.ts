// Quotas hold under concurrency: 50 creates at once by one user, and by the members of one group,
// create exactly as many instances as the limit allows; every refusal is the quota's (none the database's)
// and names the quota, limit and use.
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instances, quotaLimits } from "@/db/schema";
import { DomainError } from "@/server/domain/errors";
import { createInstance } from "@/server/domain/provisioning/create-instances";
import {
  allowInCatalogue,
  contextFor,
  makeFlavor,
  makeGroup,
  makeHost,
  makeImageRow,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(async () => {
  s = openTestServices();
  // Room for every request on hosts of this test's own: only the quota may refuse.
  await makeHost(s, { cpuCount: 64, memoryMiB: 262_144 });
});
afterAll(async () => {
  await s.close();
});

const liveOf = async (where: ReturnType<typeof eq>) =>
  (
    await s.db
      .select({ id: instances.id })
      .from(instances)
      .where(and(where, ne(instances.state, "DELETED")))
  ).length;

describe("quotas under concurrency", () => {
  it("50 concurrent creates by one user make exactly the user's instance limit", async () => {
    const group = await makeGroup(s);
    const student = await makeUser(s, "powerUser", [group]);
    await s.db.insert(quotaLimits).values({ subject: "user", subjectId: String(student.id), instances: 7 });
    const flavorId = await makeFlavor(s, { vcpus: 1, memoryMiB: 64, diskGiB: 1 });
    const imageId = await makeImageRow(s);
    await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [flavorId] });
    const ctx = contextFor(s, student);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        createInstance(ctx, { name: `q-${i}`, imageId, flavorId, groupId: group, nics: [] }),
      ),
    );
    const made = results.filter((r) => r.status === "fulfilled").length;
    expect(made).toBe(7);
    expect(await liveOf(eq(instances.ownerId, student.id))).toBe(7);
    // Every other request is refused by the quota, none by the database (a deadlock, a lock timeout).
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).kind).toBe("FORBIDDEN");
      expect((r.reason as DomainError).message).toMatch(
        /your limit for instances is 7, 7 in use; this needs 1 more/,
      );
    }
  });

  it("50 concurrent creates by members of one group make exactly the group's instance limit", async () => {
    const group = await makeGroup(s, uniqueName("class"));
    await s.db.insert(quotaLimits).values({ subject: "group", subjectId: String(group), instances: 11 });
    const members = await Promise.all(Array.from({ length: 10 }, () => makeUser(s, "powerUser", [group])));
    const flavorId = await makeFlavor(s, { vcpus: 1, memoryMiB: 64, diskGiB: 1 });
    const imageId = await makeImageRow(s);
    await allowInCatalogue(s, group, { imageIds: [imageId], flavorIds: [flavorId] });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        createInstance(contextFor(s, members[i % 10]!), {
          name: `g-${i}`,
          imageId,
          flavorId,
          groupId: group,
          nics: [],
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(11);
    expect(await liveOf(eq(instances.groupId, group))).toBe(11);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r.reason as Error).message).toMatch(/group .*'s limit for instances is 11, 11 in use/);
  });
});
