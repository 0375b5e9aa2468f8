import { createServer, type Server } from "node:net";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberships, passwordResetTokens, portalSettings, users } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import { makeResetToken } from "@/server/testing/account-fixtures";
import {
  callerFor,
  FIXTURE_PASSWORD,
  makeGroup,
  makeUser,
  openTestServices,
  type TestServices,
} from "@/server/testing/fixtures";
import { msg } from "@/common/message";
import type { DomainError } from "../errors";
import { hashResetToken } from "./reset-links";

let s: TestServices;
let group: number;
let otherGroup: number;
beforeAll(async () => {
  s = openTestServices();
  group = await makeGroup(s);
  otherGroup = await makeGroup(s);
});
afterAll(async () => {
  await s.db.delete(portalSettings).where(eq(portalSettings.key, "smtp"));
  await s.close();
});

const tokenOf = (path: string) => path.replace(/^\/reset\//, "");
const redeem = (token: string, password = "brand-new-password-1") =>
  callerFor(s, null).account.redeemResetLink({ token, password, confirmPassword: password });
const passwordOf = async (id: number) =>
  (await s.db.query.users.findFirst({ where: eq(users.id, id) }))!.passwordHash;

describe("reset links", () => {
  it("superAdm issues one for anyone; only its SHA-256 is stored; it sets the password once and ends sessions", async () => {
    const admin = await makeUser(s, "superAdm");
    const teacher = await makeUser(s, "powerAdm", [group]);
    const issued = await callerFor(s, admin).users.issueResetLink({ id: teacher.id });
    expect(issued.path).toMatch(/^\/reset\/[A-Za-z0-9_-]{43}$/);
    expect(issued.mail).toBe("off");
    const minutes = (issued.expiresAt.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    const token = tokenOf(issued.path);
    const rows = await s.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.userId, teacher.id));
    expect(rows.map((r) => r.tokenHash)).toEqual([hashResetToken(token)]);

    const before = (await s.db.query.users.findFirst({ where: eq(users.id, teacher.id) }))!.sessionVersion;
    expect(await redeem(token)).toEqual({ id: teacher.id, username: teacher.username });
    const after = (await s.db.query.users.findFirst({ where: eq(users.id, teacher.id) }))!;
    expect(after.sessionVersion).toBe(before + 1);
    expect(await verifyPassword(after.passwordHash, "brand-new-password-1")).toBe(true);
    expect(await verifyPassword(after.passwordHash, FIXTURE_PASSWORD)).toBe(false);
    // Single use: the same link again changes nothing.
    await expect(redeem(token, "another-password-2")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not valid/),
    });
    expect(await passwordOf(teacher.id)).toBe(after.passwordHash);
  });

  it("an expired link is refused", async () => {
    const u = await makeUser(s, "user", [group]);
    const token = await makeResetToken(s, u.id, -1000);
    const hash = await passwordOf(u.id);
    await expect(redeem(token)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await passwordOf(u.id)).toBe(hash);
  });

  it("a newer link voids the older one", async () => {
    const admin = await makeUser(s, "superAdm");
    const u = await makeUser(s, "user", [group]);
    const first = tokenOf((await callerFor(s, admin).users.issueResetLink({ id: u.id })).path);
    const second = tokenOf((await callerFor(s, admin).users.issueResetLink({ id: u.id })).path);
    await expect(redeem(first)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(redeem(second)).resolves.toMatchObject({ id: u.id });
  });

  it("two tabs redeeming one link at once: exactly one sets the password", async () => {
    const u = await makeUser(s, "user", [group]);
    const token = await makeResetToken(s, u.id);
    const results = await Promise.allSettled([
      redeem(token, "first-password-11"),
      redeem(token, "second-password-22"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a group admin issues for the members of groups they administer, never for an admin or another group's member", async () => {
    const teacher = await makeUser(s, "powerAdm", [group]);
    const student = await makeUser(s, "user", [group]);
    const powerUser = await makeUser(s, "powerUser", [group]);
    const colleague = await makeUser(s, "powerAdm", [group]);
    const admin = await makeUser(s, "superAdm", [group]);
    const stranger = await makeUser(s, "user", [otherGroup]);
    const memberNotAdmin = await makeUser(s, "powerAdm", [group], { adminOf: [] });
    const t = callerFor(s, teacher).users;
    await expect(t.issueResetLink({ id: student.id })).resolves.toMatchObject({ id: student.id });
    await expect(t.issueResetLink({ id: powerUser.id })).resolves.toMatchObject({ id: powerUser.id });
    for (const target of [colleague, admin, stranger])
      await expect(t.issueResetLink({ id: target.id }), target.username).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    await expect(callerFor(s, memberNotAdmin).users.issueResetLink({ id: student.id })).rejects.toMatchObject(
      {
        code: "FORBIDDEN",
      },
    );
    // A student cannot issue one at all, not even for themselves.
    await expect(callerFor(s, student).users.issueResetLink({ id: student.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const refused = await s.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.userId, colleague.id));
    expect(refused).toEqual([]);
  });
});

describe("a reset link lives only as long as the reach that issued it", () => {
  const invalidLink = { code: "BAD_REQUEST", message: expect.stringMatching(/not valid/) };
  const outstanding = async (userId: number) =>
    s.db.select().from(passwordResetTokens).where(eq(passwordResetTokens.userId, userId));
  // A teacher's link for a student in their class, as the teacher issued it.
  async function teachersLink() {
    const cls = await makeGroup(s);
    const teacher = await makeUser(s, "powerAdm", [cls]);
    const student = await makeUser(s, "user", [cls]);
    const issued = await callerFor(s, teacher).users.issueResetLink({ id: student.id });
    return { cls, teacher, student, token: tokenOf(issued.path) };
  }

  it("refused once the teacher is disabled (the link stays unused; the password unchanged)", async () => {
    const { teacher, student, token } = await teachersLink();
    await s.db.update(users).set({ disabled: true }).where(eq(users.id, teacher.id));
    const hash = await passwordOf(student.id);
    await expect(redeem(token)).rejects.toMatchObject(invalidLink);
    expect(await passwordOf(student.id)).toBe(hash);
    // Enabled again, the teacher's reach is back: the refusal was the issuer's state, not a spent link.
    await s.db.update(users).set({ disabled: false }).where(eq(users.id, teacher.id));
    await expect(redeem(token)).resolves.toMatchObject({ id: student.id });
  });

  it("refused once the teacher no longer administers the class", async () => {
    const admin = await makeUser(s, "superAdm");
    const { cls, token } = await teachersLink();
    await callerFor(s, admin).groups.setAdmins({ id: cls, userIds: [] });
    await expect(redeem(token)).rejects.toMatchObject(invalidLink);
  });

  it("refused once the student left the teacher's class", async () => {
    const admin = await makeUser(s, "superAdm");
    const { student, token } = await teachersLink();
    await callerFor(s, admin).users.update({ id: student.id, groupIds: [otherGroup] });
    await expect(redeem(token)).rejects.toMatchObject(invalidLink);
  });

  it("refused once the student is an admin (checked at redeem even if the token survived)", async () => {
    const { student, token } = await teachersLink();
    // Straight to the table: the role check at redeem holds on its own, without the voiding below.
    await s.db.update(users).set({ role: "powerAdm" }).where(eq(users.id, student.id));
    await expect(redeem(token)).rejects.toMatchObject(invalidLink);
  });

  it("refused once the issuer's account is gone", async () => {
    const { teacher, token } = await teachersLink();
    await s.db.delete(memberships).where(eq(memberships.userId, teacher.id));
    await s.db.delete(users).where(eq(users.id, teacher.id));
    await expect(redeem(token)).rejects.toMatchObject(invalidLink);
  });

  it("a superAdm's link is not bound to classes; it ends when the superAdm is demoted", async () => {
    const admin = await makeUser(s, "superAdm");
    const other = await makeUser(s, "superAdm");
    const teacher = await makeUser(s, "powerAdm", [group]);
    const first = tokenOf((await callerFor(s, admin).users.issueResetLink({ id: teacher.id })).path);
    await expect(redeem(first)).resolves.toMatchObject({ id: teacher.id });
    const second = tokenOf((await callerFor(s, admin).users.issueResetLink({ id: teacher.id })).path);
    await callerFor(s, other).users.update({ id: admin.id, role: "powerAdm" });
    await expect(redeem(second)).rejects.toMatchObject(invalidLink);
  });

  it("changing a user's role or disabling them voids their outstanding links", async () => {
    const admin = await makeUser(s, "superAdm");
    const a = callerFor(s, admin).users;
    const u = await makeUser(s, "user", [group]);
    await a.issueResetLink({ id: u.id });
    // Saving without a role change keeps the link.
    await a.update({ id: u.id, displayName: "Renamed", role: "user" });
    expect(await outstanding(u.id)).toHaveLength(1);
    await a.update({ id: u.id, role: "powerUser" });
    expect(await outstanding(u.id)).toEqual([]);
    const again = tokenOf((await a.issueResetLink({ id: u.id })).path);
    await a.setDisabled({ id: u.id, disabled: true });
    expect(await outstanding(u.id)).toEqual([]);
    await a.setDisabled({ id: u.id, disabled: false });
    await expect(redeem(again)).rejects.toMatchObject(invalidLink);
  });
});

/**
 * A tiny SMTP listener on loopback without TLS (it offers no STARTTLS and refuses it): takes one message
 * per connection and keeps what was sent, and every command verb it was sent (to see whether AUTH came).
 */
function startSmtpListener(): Promise<{ server: Server; port: number; mails: string[]; verbs: string[] }> {
  const mails: string[] = [];
  const verbs: string[] = [];
  const server = createServer((sock) => {
    let data = false;
    let buf = "";
    sock.write("220 test ESMTP\r\n");
    sock.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      for (;;) {
        if (data) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          mails.push(buf.slice(0, end));
          buf = buf.slice(end + 5);
          data = false;
          sock.write("250 queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl).toUpperCase();
        buf = buf.slice(nl + 2);
        verbs.push(line.split(" ")[0]!);
        if (line.startsWith("EHLO")) sock.write("250-test\r\n250 AUTH PLAIN LOGIN\r\n");
        else if (line.startsWith("AUTH")) sock.write("235 ok\r\n");
        else if (line.startsWith("STARTTLS")) sock.write("502 not implemented\r\n");
        else if (line.startsWith("DATA")) {
          data = true;
          sock.write("354 go\r\n");
        } else if (line.startsWith("QUIT")) sock.end("221 bye\r\n");
        else sock.write("250 ok\r\n");
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, port: (server.address() as { port: number }).port, mails, verbs }),
    ),
  );
}

const settingsWith = (smtp: {
  host?: string;
  port?: number;
  from?: string;
  user?: string;
  password?: string;
}) => ({
  signUpEnabled: false,
  signUpGroupId: null,
  signUpNeedsApproval: true,
  smtp: { host: "mail.school.example", port: 587, from: "cloud@school.example", user: "mailer", ...smtp },
});

describe("reset links by mail (SMTP configured)", () => {
  it("mails the link to the user's address; the SMTP password never comes back nor reaches the audit log", async () => {
    const smtp = await startSmtpListener();
    try {
      const admin = await makeUser(s, "superAdm");
      const settings = callerFor(s, admin).portalSettings;
      const view = await settings.update({
        signUpEnabled: false,
        signUpGroupId: null,
        signUpNeedsApproval: true,
        smtp: {
          host: "127.0.0.1",
          port: smtp.port,
          from: "cloud@school.example",
          user: "mailer",
          password: "smtp-secret-42",
        },
      });
      expect(view.smtp).toEqual({
        host: "127.0.0.1",
        port: smtp.port,
        from: "cloud@school.example",
        user: "mailer",
        passwordSet: true,
      });
      expect(JSON.stringify(await settings.read())).not.toContain("smtp-secret-42");
      // Stored sealed: a dump of the database does not give the mail account away.
      const [stored] = await s.db.select().from(portalSettings).where(eq(portalSettings.key, "smtp"));
      expect(JSON.stringify(stored!.value)).toMatch(/"password":"sealed:v1:/);
      expect(JSON.stringify(stored!.value)).not.toContain("smtp-secret-42");
      // Saving again without a password keeps the stored one (the field is write-only).
      await settings.update({
        signUpEnabled: false,
        signUpGroupId: null,
        signUpNeedsApproval: true,
        smtp: { host: "127.0.0.1", port: smtp.port, from: "cloud@school.example", user: "mailer" },
      });
      expect((await settings.read()).smtp?.passwordSet).toBe(true);
      const [audited] = await s.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "portalSettings.update"), eq(auditLog.actorId, admin.id)))
        .orderBy(desc(auditLog.id))
        .limit(2);
      expect(JSON.stringify(audited)).not.toContain("smtp-secret-42");

      // This listener has no TLS: it can be a relay that takes mail without credentials.
      await settings.update(settingsWith({ host: "127.0.0.1", port: smtp.port, user: "" }));
      const student = await makeUser(s, "user", [group]);
      await s.db.update(users).set({ email: "student@school.example" }).where(eq(users.id, student.id));
      const issued = await callerFor(s, admin).users.issueResetLink({ id: student.id });
      expect(issued.mail).toBe("sent");
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]).toContain("student@school.example");
      expect(smtp.mails[0]!.replace(/=\r\n/g, "")).toContain(`http://127.0.0.1:3999${issued.path}`);
      expect(smtp.verbs).not.toContain("AUTH");
    } finally {
      smtp.server.close();
    }
  });

  it("with credentials, a server without TLS gets no AUTH and no mail: the password never goes in clear", async () => {
    const smtp = await startSmtpListener();
    try {
      const admin = await makeUser(s, "superAdm");
      await callerFor(s, admin).portalSettings.update(
        settingsWith({ host: "127.0.0.1", port: smtp.port, password: "smtp-secret-42" }),
      );
      const student = await makeUser(s, "user", [group]);
      await s.db.update(users).set({ email: "student@school.example" }).where(eq(users.id, student.id));
      const issued = await callerFor(s, admin).users.issueResetLink({ id: student.id });
      expect(issued.mail).toBe("failed");
      // It was reached (so the refusal is the missing TLS, not a closed port), and asked for STARTTLS.
      expect(smtp.verbs).toContain("EHLO");
      expect(smtp.verbs).toContain("STARTTLS");
      expect(smtp.verbs).not.toContain("AUTH");
      expect(smtp.mails).toEqual([]);
      // The link is still handed to the issuer.
      await expect(redeem(tokenOf(issued.path))).resolves.toMatchObject({ id: student.id });
    } finally {
      smtp.server.close();
    }
  });

  it("the stored password must be typed again when server, port or user changes (a stolen session cannot redirect it)", async () => {
    const admin = await makeUser(s, "superAdm");
    const settings = callerFor(s, admin).portalSettings;
    await settings.update(settingsWith({ password: "smtp-secret-42" }));
    const storedValue = async () =>
      (await s.db.select().from(portalSettings).where(eq(portalSettings.key, "smtp")))[0]!.value;
    const before = await storedValue();
    for (const change of [{ host: "mail.attacker.example" }, { port: 2525 }, { user: "someone-else" }]) {
      const err = await settings.update(settingsWith(change)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(change)).toMatchObject({ code: "BAD_REQUEST" });
      const cause = (err as { cause?: DomainError }).cause;
      expect(cause?.fieldMessages?.["smtp.password"]).toEqual(msg("accounts.smtpPasswordAgainField"));
      expect(await storedValue()).toEqual(before);
    }
    // The sender address is no destination: changing it keeps the password.
    await settings.update(settingsWith({ from: "noreply@school.example" }));
    expect((await settings.read()).smtp?.passwordSet).toBe(true);
    // Typed again, the change is taken.
    await settings.update(settingsWith({ host: "mail2.school.example", password: "smtp-secret-43" }));
    expect((await settings.read()).smtp).toMatchObject({ host: "mail2.school.example", passwordSet: true });
    // No user: no credentials, and no password kept for a later user to send.
    await settings.update(settingsWith({ host: "relay.school.example", user: "" }));
    expect((await settings.read()).smtp).toMatchObject({ user: "", passwordSet: false });
  });

  it("a mail server that cannot be reached: the link is still handed to the issuer", async () => {
    const admin = await makeUser(s, "superAdm");
    await callerFor(s, admin).portalSettings.update({
      signUpEnabled: false,
      signUpGroupId: null,
      signUpNeedsApproval: true,
      smtp: { host: "127.0.0.1", port: 9, from: "cloud@school.example", user: "" },
    });
    const student = await makeUser(s, "user", [group]);
    await s.db.update(users).set({ email: "student@school.example" }).where(eq(users.id, student.id));
    const issued = await callerFor(s, admin).users.issueResetLink({ id: student.id });
    expect(issued.mail).toBe("failed");
    await expect(redeem(tokenOf(issued.path))).resolves.toMatchObject({ id: student.id });
  });
});
