// Enrolment (F6): a lab PC booting as a thin client asks for an identity. It gets a new terminal id and
// its secret, once; the row waits (pending) until an administrator approves it. The MAC is only a label
// for that administrator: it grants nothing, and enrolling with a MAC never touches an approved or
// revoked terminal of that MAC, nor returns anybody's secret.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { z } from "zod";
import { and, eq, isNull } from "drizzle-orm";
import type { enrolTerminalInput } from "@/common/terminals";
import { terminals } from "@/db/schema";
import type { Database } from "@/server/db/client";
import { reserveEnrolment, type EnrolLimits } from "./enrol-limit";
import { newSecretSalt, terminalSecretOf } from "./terminal-secrets";

export interface EnrolDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  terminalKey: Buffer;
  limits?: EnrolLimits;
}

export async function enrolTerminal(
  deps: EnrolDeps,
  input: z.output<typeof enrolTerminalInput>,
  ip: string | null,
): Promise<{ terminalId: string; secret: string; state: "pending" }> {
  await reserveEnrolment(deps.redis, deps.redisPrefix, ip, deps.limits);
  const id = randomUUID();
  const salt = newSecretSalt();
  // A PC that enrols again (its disk wiped, the script re-run) replaces its own unanswered request instead
  // of piling them up for the admin — only one from the same address, though: anyone can send any MAC,
  // and a request from elsewhere must not delete a waiting PC's (its boot script would be refused as a
  // stranger for good); both then wait side by side and the admin compares codes. Approved and revoked
  // rows stay.
  await deps.db.transaction(async (tx) => {
    await tx
      .delete(terminals)
      .where(
        and(
          eq(terminals.mac, input.mac),
          eq(terminals.state, "pending"),
          ip === null ? isNull(terminals.lastIp) : eq(terminals.lastIp, ip),
        ),
      );
    await tx.insert(terminals).values({
      id,
      mac: input.mac,
      name: input.name ?? input.mac,
      secretSalt: salt,
      state: "pending",
      lastIp: ip,
      lastContactAt: new Date(),
    });
  });
  return { terminalId: id, secret: terminalSecretOf(deps.terminalKey, id, salt), state: "pending" };
}
