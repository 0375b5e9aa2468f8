import { describe, expect, it } from "vitest";
import { CliError, EXIT } from "./exit-codes";
import { convertOption, describeType, kebabCase, toQuery } from "./option-conversion";

const uuid = { type: "string", format: "uuid" };
const int = { type: "integer", exclusiveMinimum: 0 };

function usageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    return (err as CliError).message;
  }
  throw new Error("expected a usage error");
}

describe("option names", () => {
  it("are the fields in kebab-case", () => {
    expect(kebabCase("imageId")).toBe("image-id");
    expect(kebabCase("minRamMiB")).toBe("min-ram-mi-b");
    expect(kebabCase("name")).toBe("name");
  });
});

describe("converting option values to the schema's types", () => {
  it("numbers: whole numbers for integers, refused otherwise with the option named", () => {
    expect(convertOption("3", int, "--flavor-id")).toBe(3);
    expect(usageOf(() => convertOption("1.5", int, "--flavor-id"))).toMatch(
      /--flavor-id takes a whole number/,
    );
    expect(usageOf(() => convertOption("tiny", int, "--flavor-id"))).toMatch(/takes a number/);
    expect(convertOption("1.5", { type: "number" }, "--x")).toBe(1.5);
  });

  it("strings stay text (a uuid is not checked here: the portal names a bad one)", () => {
    expect(convertOption("0123", uuid, "--image-id")).toBe("0123");
  });

  it("booleans: a bare flag is true, and true/false are read", () => {
    const bool = { default: false, type: "boolean" };
    expect(convertOption(true, bool, "--include-deleted")).toBe(true);
    expect(convertOption("false", bool, "--include-deleted")).toBe(false);
    expect(usageOf(() => convertOption("maybe", bool, "--include-deleted"))).toMatch(/true or false/);
    expect(usageOf(() => convertOption(true, int, "--limit"))).toMatch(/needs a value/);
  });

  it("enums: only the listed values (anyOf of consts too)", () => {
    const kind = { type: "string", enum: ["vnc", "serial"] };
    expect(convertOption("serial", kind, "--kind")).toBe("serial");
    expect(usageOf(() => convertOption("rdp", kind, "--kind"))).toMatch(/one of vnc, serial/);
    const role = { anyOf: [{ const: "user" }, { const: "superAdm" }] };
    expect(convertOption("superAdm", role, "--role")).toBe("superAdm");
  });

  it("nullable fields take null", () => {
    const groupId = { anyOf: [int, { type: "null" }] };
    expect(convertOption("null", groupId, "--group-id")).toBeNull();
    expect(convertOption("7", groupId, "--group-id")).toBe(7);
  });

  it("lists: repeated options and commas, each item converted; or one JSON array", () => {
    const ids = { type: "array", items: int };
    expect(convertOption(["1,2", "3"], ids, "--user-ids")).toEqual([1, 2, 3]);
    expect(convertOption("[4,5]", ids, "--user-ids")).toEqual([4, 5]);
    expect(convertOption("", ids, "--user-ids")).toEqual([]);
    expect(usageOf(() => convertOption(["1", "x"], ids, "--user-ids"))).toMatch(/--user-ids takes a number/);
  });

  it("lists of objects: one JSON object per option (commas inside JSON are not separators)", () => {
    const nics = { type: "array", items: { type: "object", properties: { networkId: uuid } } };
    expect(convertOption(['{"networkId":"a","subnetId":1}', '{"networkId":"b"}'], nics, "--nics")).toEqual([
      { networkId: "a", subnetId: 1 },
      { networkId: "b" },
    ]);
  });

  it("objects: JSON, refused when it is not", () => {
    const filter = { type: "object", properties: { actor: { type: "string" } } };
    expect(convertOption('{"actor":"ann"}', filter, "--filter")).toEqual({ actor: "ann" });
    expect(usageOf(() => convertOption("actor=ann", filter, "--filter"))).toMatch(/--filter takes JSON/);
  });
});

describe("--help's type words", () => {
  it("say what each option takes", () => {
    expect(describeType(int)).toBe("integer");
    expect(describeType(uuid)).toBe("uuid");
    expect(describeType({ type: "string", enum: ["vnc", "serial"] })).toBe("one of vnc|serial");
    expect(describeType({ type: "array", items: int })).toMatch(/^list of integer/);
    expect(describeType({ anyOf: [int, { type: "null" }] })).toBe("integer or null");
    expect(describeType({ type: "object" })).toBe("JSON object");
  });
});

describe("query strings", () => {
  it("carry lists as one comma list and objects as deepObject keys", () => {
    const q = toQuery({ limit: 100, ids: [1, 2], filter: { actor: "ann", result: "ok" }, skip: undefined });
    expect(q.toString()).toBe("limit=100&ids=1%2C2&filter%5Bactor%5D=ann&filter%5Bresult%5D=ok");
  });
});
