import { describe, expect, it } from "vitest";
import { instances } from "@/db/schema";
import { DomainError } from "../errors";
import { decodeCursor, encodeCursor, finishPage, type Keyset } from "./keyset";

const keyset: Keyset<"createdAt" | "name"> = {
  sorts: {
    createdAt: { column: instances.createdAt, kind: "date" },
    name: { column: instances.name, kind: "string" },
  },
  id: { column: instances.id, kind: "string" },
};
const page = { sort: "createdAt" as const, order: "desc" as const, limit: 2 };

describe("keyset cursors", () => {
  it("names the last row of a full page and none after the last page", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const rows = [
      { id: "a", createdAt: at },
      { id: "b", createdAt: at },
      { id: "c", createdAt: at },
    ];
    const full = finishPage(keyset, page, rows);
    expect(full.items.map((r) => r.id)).toEqual(["a", "b"]);
    expect(decodeCursor(keyset, page, full.nextCursor!)).toEqual({ key: at, id: "b" });
    expect(finishPage(keyset, page, rows.slice(0, 2)).nextCursor).toBeNull();
  });

  it.each([
    ["garbage", "not a cursor"],
    ["a stray character", `${encodeCursor("createdAt", "desc", "2026-01-01T00:00:00.000Z", "x")}!`],
    ["another sort", encodeCursor("name", "desc", "vm", "x")],
    ["another order", encodeCursor("createdAt", "asc", "2026-01-01T00:00:00.000Z", "x")],
    ["a number for a date", encodeCursor("createdAt", "desc", 5, "x")],
    ["a date that is none", encodeCursor("createdAt", "desc", "soon", "x")],
    ["a number id for a text id", encodeCursor("createdAt", "desc", "2026-01-01T00:00:00.000Z", 7)],
    ["not an object", Buffer.from("[]").toString("base64url")],
  ])("refuses %s as INVALID", (_, cursor) => {
    let err: unknown;
    try {
      decodeCursor(keyset, page, cursor);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("INVALID");
    expect((err as DomainError).code).toBe("paging.badCursor");
  });
});
