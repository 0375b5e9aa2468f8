import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { placeholdersOf } from "../scripts/gen-message-codes";

type Tree = { [k: string]: string | Tree };
const load = (locale: string) => JSON.parse(readFileSync(`messages/${locale}.json`, "utf8")) as Tree;

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === "string") out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

// ICU arguments ({name}, {count, plural, …}, {state, select, …}) read by the ICU parser itself, so
// the words inside select branches are not mistaken for arguments.
const placeholders = placeholdersOf;

describe("message catalogues", () => {
  const en = flatten(load("en"));
  const zh = flatten(load("zh-CN"));

  it("have the same keys, so no screen falls back to a raw key in either language", () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    expect(en.size).toBeGreaterThan(100);
  });

  it("have no empty strings and the same placeholders per key", () => {
    for (const [key, text] of en) {
      expect(text.trim(), `en ${key}`).not.toBe("");
      expect(zh.get(key)!.trim(), `zh-CN ${key}`).not.toBe("");
      expect(placeholders(zh.get(key)!), `placeholders of ${key}`).toEqual(placeholders(text));
    }
  });

  it("are really translated: most Chinese strings contain CJK characters", () => {
    const cjk = [...zh.values()].filter((s) => /[\u4e00-\u9fff]/.test(s)).length;
    expect(cjk / zh.size).toBeGreaterThan(0.8);
  });
});
