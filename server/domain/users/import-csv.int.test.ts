import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, users } from "@/db/schema";
import { authenticateUser } from "@/server/domain/account/authenticate";
import {
  callerFor,
  makeGroup,
  makeUser,
  openTestServices,
  uniqueName,
  type TestServices,
} from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

const limits = () => ({
  prefix: s.prefix,
  maxPerAccount: 20,
  maxPerAddress: 100,
  windowSeconds: 60,
  delayAfterFailures: 1000,
  maxDelaySeconds: 30,
  knownDeviceSeconds: 3600,
});

describe("CSV import of a class", () => {
  it("30 rows: each row's result, bad rows do not stop the others, passwords only for created rows and working", async () => {
    const className = uniqueName("7a");
    const group = await makeGroup(s, className);
    const admin = await makeUser(s, "superAdm");
    const taken = await makeUser(s, "user");
    const p = uniqueName("s").replace("-", "");
    const good = (i: number) => `${p}${i},"学生 ${i}, 七年级",${p}${i}@school.example,${className}`;
    const lines = ["Username,Display Name,E-mail,Group"];
    for (let i = 1; i <= 25; i++) lines.push(good(i));
    lines.push(`${taken.username},Taken,,${className}`); // username taken
    lines.push(`${p}bad,Bad Mail,not-an-address,${className}`); // bad email
    lines.push(`${p}nogroup,No Group,,no-such-class-${p}`); // unknown group
    lines.push(`X!,Bad Name,,${className}`); // bad username
    lines.push(good(1)); // the same username twice in the file
    const results = await callerFor(s, admin).users.importCsv({ csv: lines.join("\r\n") });

    expect(results).toHaveLength(30);
    const created = results.filter((r) => r.status === "created");
    expect(created).toHaveLength(25);
    const errors = results.filter((r) => r.status === "error").map((r) => [r.line, r.error?.code]);
    expect(errors).toEqual([
      [27, "users.nameTaken"],
      [28, "accounts.csvBadEmail"],
      [29, "accounts.csvUnknownGroup"],
      [30, "accounts.csvBadUsername"],
      [31, "accounts.csvDuplicateRow"],
    ]);
    for (const r of created) expect(r.password).toMatch(/^[A-Za-z2-9]{14}$/);
    expect(new Set(created.map((r) => r.password)).size).toBe(25);
    expect(results.filter((r) => r.status === "error").every((r) => r.password === undefined)).toBe(true);

    const row = (await s.db.query.users.findFirst({ where: eq(users.username, `${p}3`) }))!;
    expect(row).toMatchObject({ displayName: "学生 3, 七年级", email: `${p}3@school.example`, role: "user" });
    expect(row.passwordHash).not.toContain(created[2]!.password!);
    expect(await s.db.select().from(memberships).where(eq(memberships.userId, row.id))).toEqual([
      expect.objectContaining({ groupId: group, isAdmin: false }),
    ]);
    // The password shown once is the one that works.
    const signedIn = await authenticateUser(
      { db: s.db, redis: s.redis, limits: limits() },
      { username: `${p}3`, password: created[2]!.password!, ip: "10.66.0.1" },
    );
    expect(signedIn.id).toBe(row.id);
  });

  it("a file without the columns, or with too many rows, is refused whole", async () => {
    const admin = await makeUser(s, "superAdm");
    await expect(callerFor(s, admin).users.importCsv({ csv: "name,mail\na,b" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const group = uniqueName("big");
    await makeGroup(s, group);
    const many = [
      "username,display name,email,group",
      ...Array.from({ length: 501 }, (_, i) => `u${i},U,,${group}`),
    ];
    await expect(callerFor(s, admin).users.importCsv({ csv: many.join("\n") })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/500/),
    });
  });

  it("only superAdm may import", async () => {
    const teacher = await makeUser(s, "powerAdm", [await makeGroup(s)]);
    await expect(
      callerFor(s, teacher).users.importCsv({ csv: "username,display name,email,group\na1b,A,,x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
