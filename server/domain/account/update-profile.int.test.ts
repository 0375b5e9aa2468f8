import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { callerFor, makeUser, openTestServices, type TestServices } from "@/server/testing/fixtures";

let s: TestServices;
beforeAll(() => {
  s = openTestServices();
});
afterAll(() => s.close());

describe("own profile", () => {
  it("a user changes their display name and e-mail, and nothing else of anyone's", async () => {
    const me = await makeUser(s, "user");
    const other = await makeUser(s, "user");
    const view = await callerFor(s, me).account.updateProfile({
      displayName: "  王 芳 ",
      email: "wf@school.example",
    });
    expect(view).toMatchObject({ id: me.id, displayName: "王 芳", email: "wf@school.example", role: "user" });
    expect((await s.db.query.users.findFirst({ where: eq(users.id, other.id) }))!.displayName).toBe(
      other.username,
    );
    // An empty address removes it; a bad one is refused.
    expect(
      (await callerFor(s, me).account.updateProfile({ displayName: "王 芳", email: "" })).email,
    ).toBeNull();
    await expect(
      callerFor(s, me).account.updateProfile({ displayName: "王 芳", email: "nope" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
