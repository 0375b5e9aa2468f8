// Server-made messages (errors, timeline events, task messages, scheduler reasons, health warnings,
// the agent's reasons) travel as codes and are rendered from messages/*.json ("server"). These tests
// keep the codes, the catalogues and the UI honest.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { AGENT_MESSAGE_CODES } from "@/agents/protocol";
import { flattenCatalogue, placeholdersOf, renderCodesModule } from "../scripts/gen-message-codes";

type Tree = { [k: string]: string | Tree };
const load = (locale: string) => JSON.parse(readFileSync(`messages/${locale}.json`, "utf8")) as Tree;
const en = load("en");
const zh = load("zh-CN");
const enServer = flattenCatalogue(en.server as Tree);
const zhServer = flattenCatalogue(zh.server as Tree);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

describe("server message codes", () => {
  it("the typed union of codes (common/message-codes.ts) is generated from the current English catalogue", () => {
    // If this fails: npx tsx scripts/gen-message-codes.ts
    expect(readFileSync("common/message-codes.ts", "utf8")).toBe(renderCodesModule(en.server as Tree));
  });

  it("every code the server, the agent and the UI name exists in both catalogues with the same parameters", () => {
    const used = new Set<string>(AGENT_MESSAGE_CODES);
    for (const file of ["server", "app", "common", "agents"].flatMap((d) => sourceFiles(d))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bmsg\(\s*"([\w.]+)"/g)) used.add(m[1]!);
      for (const m of readFileSync(file, "utf8").matchAll(/code: "(agent\.[\w.]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(150);
    for (const code of used) {
      expect(enServer.has(code), `en server.${code}`).toBe(true);
      expect(zhServer.has(code), `zh-CN server.${code}`).toBe(true);
      expect(placeholdersOf(zhServer.get(code)!), code).toEqual(placeholdersOf(enServer.get(code)!));
    }
  });

  it("every Chinese server text is Chinese: rendered with sample parameters, no English words are left", () => {
    const t = createTranslator({ locale: "zh-CN", messages: { server: zh.server } }) as unknown as (
      key: string,
      params: Record<string, string | number>,
    ) => string;
    // Names of things and units that are not translated in Chinese UIs either.
    const allowed = new Set(
      "eduCloud qcow raw AOF RDB CONFIG KVM vCPU vCPUs GiB MiB Redis ISO VLAN qcow2 Upload CPU vmx svm dev kvm npm start name Length ID HTTP API JSON Content Type application json".split(
        " ",
      ),
    );
    for (const [code, text] of zhServer) {
      const params = Object.fromEntries(placeholdersOf(text).map((p) => [p, 1]));
      const rendered = t(`server.${code}`, params);
      const words = rendered.replace(/\{[^}]*\}/g, "").match(/[A-Za-z]{2,}/g) ?? [];
      expect(
        words.filter((w) => !allowed.has(w)),
        `server.${code}: ${rendered}`,
      ).toEqual([]);
      if (!/^\{\w+\}$/.test(text)) expect(rendered, code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe("the UI renders server text through its code", () => {
  // Raw fields that still hold the agent's own words or English written before codes existed; each is
  // listed here on purpose (see docs/decisions/010-message-codes.md), so a new one fails this test.
  const STILL_RAW = new Set([
    "app/(portal)/admin/networks/[id]/host-states-table.tsx:s.reason", // agent's raw network tool output
    "app/(portal)/admin/hosts/host-cells.tsx:h.reason", // hypervisor probe output (binary missing)
    "app/(portal)/instances/[id]/console/console-status.tsx:status.reason", // made in the browser (t())
  ]);

  it("shows no server-made message field (message, error, reason, kvmReason, warnings) as is", () => {
    const raw: string[] = [];
    for (const file of sourceFiles("app").filter((f) => f.endsWith(".tsx"))) {
      const text = readFileSync(file, "utf8");
      // Shown as text: a JSX child or a title. (Error objects handed to <QueryError error={…}> are fine.)
      const pattern =
        /(?:>\s*|title=)\{\s*([A-Za-z_][\w.?]*\.(?:message|error|errorReason|kvmReason|reason))\s*(?:(?:\?\?|\|\|)[^}]*)?\}/g;
      // readError() and describeError() results are already rendered from their codes.
      const rendered = new Set(
        [...text.matchAll(/const (\w+) = [^;]*(?:readError|[dD]escribeError)\(/g)].map((m) => m[1]),
      );
      for (const m of text.matchAll(pattern)) {
        const where = `${file}:${m[1]}`;
        if (!STILL_RAW.has(where) && !rendered.has(m[1]!.split(/[.?]/)[0]!)) raw.push(where);
      }
      if (/warnings\.map\(\(\w+\)\s*=>\s*\(?\s*<li key=\{\w+\}>\{\w+\}/.test(text))
        raw.push(`${file}:warnings`);
    }
    expect(raw).toEqual([]);
  });
});
