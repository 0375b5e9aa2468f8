import type { SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import type { Message } from "@/common/message";
import type { Actor } from "../context";

/**
 * How one resource's scope is enforced: which object this actor may act on, and which rows this
 * actor may see. Every permission entry with scope "group" or "own" has one (policies.test.ts).
 */
export interface AccessPolicy<O> {
  mayActOn(actor: Actor, object: O): boolean;
  /** What a refused caller is told (one sentence, written for people, as a message code). */
  refusal: Message;
  /** A filter for list queries: undefined sees every row, null sees none. */
  rowsFor?(actor: Actor, db: Pick<Database, "select">): SQL | undefined | null;
}
