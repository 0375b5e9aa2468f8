// Writes common/message-codes.ts from the "server" namespace of messages/en.json: every code the server
// may send, with the parameters its English text uses. The server then cannot name a code that has no
// text, nor forget a parameter the text needs (tsc fails). Run after editing the catalogue:
//   npx tsx scripts/gen-message-codes.ts
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
// intl-messageformat's own parser (installed with next-intl), so arguments are read exactly as rendered.
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

type Tree = { [k: string]: string | Tree };

export function flattenCatalogue(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === "string") out.set(prefix + k, v);
    else for (const [kk, vv] of flattenCatalogue(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

type Kind = "number" | "select" | "any";

/** ICU arguments of a text ({name}, {count, plural, …}, {state, select, …}) and what each must be. */
export function argumentsOf(text: string): Map<string, Kind> {
  const out = new Map<string, Kind>();
  const walk = (nodes: MessageFormatElement[]) => {
    for (const n of nodes) {
      if (n.type === TYPE.argument) out.set(n.value, out.get(n.value) ?? "any");
      else if (n.type === TYPE.number || n.type === TYPE.plural) out.set(n.value, "number");
      else if (n.type === TYPE.select) out.set(n.value, "select");
      if (n.type === TYPE.select || n.type === TYPE.plural)
        for (const o of Object.values(n.options)) walk(o.value);
    }
  };
  walk(parse(text));
  return out;
}

export const placeholdersOf = (text: string): string[] => [...argumentsOf(text).keys()].sort();

export function renderCodesModule(server: Tree): string {
  const lines = [...flattenCatalogue(server)].map(([code, text]) => {
    const args = [...argumentsOf(text)].sort(([a], [b]) => a.localeCompare(b));
    const type = (k: Kind) => (k === "number" ? "number" : k === "select" ? "string" : "MessageParam");
    // Written as Prettier would, so the committed file and a fresh run compare equal: one line, or one
    // field per line when the line would pass the print width (.prettierrc: 110).
    const fields = args.map(([p, k]) => `${p}: ${type(k)}`);
    const key = /^[A-Za-z_$][\w$]*$/.test(code) ? code : JSON.stringify(code);
    const line = `  ${key}: ${fields.length ? `{ ${fields.join("; ")} }` : "Record<never, never>"};`;
    return line.length <= 110 ? line : [`  ${key}: {`, ...fields.map((f) => `    ${f};`), "  };"].join("\n");
  });
  return [
    '// Generated from messages/en.json ("server") by scripts/gen-message-codes.ts: do not edit by hand.',
    'import type { MessageParam } from "./message-param";',
    "",
    "export interface MessageParams {",
    ...lines,
    "}",
    "",
  ].join("\n");
}

const target = fileURLToPath(new URL("../common/message-codes.ts", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const en = JSON.parse(readFileSync(new URL("../messages/en.json", import.meta.url), "utf8")) as {
    server: Tree;
  };
  writeFileSync(target, renderCodesModule(en.server));
  console.log(`wrote ${target}`);
}
