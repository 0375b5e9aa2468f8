import pino from "pino";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/domain/errors";
import { isTransientError } from "@/server/domain/db-errors";
import { msg } from "@/common/message";
import { applyWithRetry, RetryAbortedError } from "./apply-with-retry";
import { createKeyedSerializer } from "./controller";

const log = pino({ level: "silent" });
const mysqlError = (code: string, message = code) => Object.assign(new Error(message), { code });
/** As Drizzle wraps a driver's error. */
const wrapped = (cause: Error) => new Error("Failed query: update `instances` …", { cause });

describe("isTransientError", () => {
  it("says yes to a database that went away and to lock conflicts, also through Drizzle's wrapper", () => {
    for (const e of [
      mysqlError("ECONNREFUSED"),
      mysqlError("PROTOCOL_CONNECTION_LOST"),
      wrapped(mysqlError("ER_LOCK_DEADLOCK")),
      wrapped(mysqlError("ER_LOCK_WAIT_TIMEOUT")),
      wrapped(new Error("Can't add new command when connection is in closed state")),
      new DomainError("UNAVAILABLE", msg("unavailable.database")),
    ])
      expect(isTransientError(e)).toBe(true);
  });

  it("says no to refusals, constraints and bugs", () => {
    for (const e of [
      wrapped(mysqlError("ER_DUP_ENTRY")),
      wrapped(mysqlError("ER_NO_REFERENCED_ROW_2")),
      new DomainError("CONFLICT", msg("unavailable.database")),
      new TypeError("cannot read properties of undefined"),
    ])
      expect(isTransientError(e)).toBe(false);
  });
});

describe("applyWithRetry", () => {
  it("retries transient failures in place, so the next event about the same thing waits its turn", async () => {
    const inOrder = createKeyedSerializer();
    const applied: string[] = [];
    let failures = 3;
    await Promise.all([
      inOrder("instance:1", () =>
        applyWithRetry(
          async () => {
            if (failures-- > 0) throw wrapped(mysqlError("ECONNREFUSED"));
            applied.push("BUILDING");
          },
          { log, initialDelayMs: 5 },
        ),
      ),
      inOrder("instance:1", () => applyWithRetry(async () => void applied.push("RUNNING"), { log })),
    ]);
    expect(applied).toEqual(["BUILDING", "RUNNING"]);
  });

  it("drops a permanent failure after one try", async () => {
    let tries = 0;
    await applyWithRetry(
      async () => {
        tries++;
        throw wrapped(mysqlError("ER_DUP_ENTRY"));
      },
      { log, initialDelayMs: 5 },
    );
    expect(tries).toBe(1);
  });

  it("gives up when the controller closes, so the queue's attempts can take the event up again", async () => {
    const closing = new AbortController();
    const run = applyWithRetry(
      async () => {
        throw mysqlError("ECONNREFUSED");
      },
      { log, initialDelayMs: 10_000, signal: closing.signal },
    );
    setTimeout(() => closing.abort(), 20);
    await expect(run).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
