import { randomInt } from "node:crypto";
import { inArray } from "drizzle-orm";
import { z } from "zod";
import { groups, memberships, users } from "@/db/schema";
import { CSV_IMPORT_MAX_ROWS, type ImportRowResult } from "@/common/accounts";
import { msg, type Message } from "@/common/message";
import { displayNameSchema, usernameSchema } from "@/common/users";
import { hashPassword } from "@/server/auth/password";
import { requireActor, type DomainContext } from "../context";
import { isDuplicateKey } from "../db-errors";
import { DomainError } from "../errors";
import { parseCsv } from "./parse-csv";

// Header names as spreadsheets write them, each mapped to its column.
const HEADERS: Record<string, "username" | "displayName" | "email" | "group"> = {
  username: "username",
  "user name": "username",
  login: "username",
  "display name": "displayName",
  displayname: "displayName",
  display_name: "displayName",
  name: "displayName",
  email: "email",
  "e-mail": "email",
  mail: "email",
  group: "group",
  class: "group",
};

// No 0/O, 1/l/I: a teacher reads these out or a student types them from paper.
const ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** 14 characters of 56: about 81 bits, far beyond guessing within the sign-in limits. */
export function generatePassword(length = 14): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

const emailCell = z.union([z.literal(""), z.email().max(254)]);

/**
 * Creates accounts (role user) for a class from CSV: username, display name, email, group (by name).
 * Each row is its own transaction: one typo must not hold back the other 29 students, and the result names
 * each failed row with its reason, so the admin fixes those and imports them again (rows already created then
 * report "taken"). Initial passwords are generated here and returned once; only their hashes are stored.
 */
export async function importUsersCsv(ctx: DomainContext, input: { csv: string }): Promise<ImportRowResult[]> {
  requireActor(ctx);
  const [header, ...rows] = parseCsv(input.csv);
  const columns = (header?.cells ?? []).map((h) => HEADERS[h.trim().toLowerCase()]);
  for (const need of ["username", "displayName", "group"] as const)
    if (!columns.includes(need))
      throw new DomainError(
        "INVALID",
        msg("accounts.csvHeader", { columns: "username, display name, email, group" }),
      );
  if (rows.length === 0) throw new DomainError("INVALID", msg("accounts.csvEmpty"));
  if (rows.length > CSV_IMPORT_MAX_ROWS)
    throw new DomainError("INVALID", msg("accounts.csvTooManyRows", { max: CSV_IMPORT_MAX_ROWS }));

  const cellOf = (cells: string[], name: string) => (cells[columns.indexOf(name as never)] ?? "").trim();
  const groupNames = [...new Set(rows.map((r) => cellOf(r.cells, "group")).filter(Boolean))];
  const groupRows = groupNames.length
    ? await ctx.db
        .select({ id: groups.id, name: groups.name })
        .from(groups)
        .where(inArray(groups.name, groupNames))
    : [];
  const groupByName = new Map(groupRows.map((g) => [g.name.toLowerCase(), g.id]));

  const results: ImportRowResult[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const rawName = cellOf(row.cells, "username");
    const fail = (m: Message): void => {
      results.push({ line: row.line, username: rawName, status: "error", error: m });
    };
    const username = usernameSchema.safeParse(rawName);
    if (!username.success) {
      fail(msg("accounts.csvBadUsername"));
      continue;
    }
    const displayName = displayNameSchema.safeParse(cellOf(row.cells, "displayName"));
    if (!displayName.success) {
      fail(msg("accounts.csvBadDisplayName"));
      continue;
    }
    const email = emailCell.safeParse(cellOf(row.cells, "email"));
    if (!email.success) {
      fail(msg("accounts.csvBadEmail"));
      continue;
    }
    const groupName = cellOf(row.cells, "group");
    const groupId = groupByName.get(groupName.toLowerCase());
    if (groupId === undefined) {
      fail(msg("accounts.csvUnknownGroup", { group: groupName }));
      continue;
    }
    if (seen.has(username.data)) {
      fail(msg("accounts.csvDuplicateRow", { name: username.data }));
      continue;
    }
    seen.add(username.data);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    try {
      await ctx.db.transaction(async (tx) => {
        const [res] = await tx.insert(users).values({
          username: username.data,
          displayName: displayName.data,
          email: email.data || null,
          passwordHash,
          role: "user",
        });
        await tx.insert(memberships).values({ userId: res.insertId, groupId, isAdmin: false });
      });
      results.push({ line: row.line, username: username.data, status: "created", password });
    } catch (err) {
      // Never thrown out of the loop: the rows created before keep their passwords in the result.
      fail(isDuplicateKey(err) ? msg("users.nameTaken", { name: username.data }) : msg("internal"));
    }
  }
  return results;
}
