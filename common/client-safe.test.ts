import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// common/ is bundled into the browser: it may import zod and its own files, nothing that reaches the
// database, the server or Node.
describe("common/ is client-safe", () => {
  const dir = join(__dirname);
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

  it.each(files)("%s imports only zod and common/", (file) => {
    const source = readFileSync(join(dir, file), "utf8");
    const imports = [...source.matchAll(/^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm)].map(
      (m) => m[1] ?? "",
    );
    const foreign = imports.filter((s) => s !== "zod" && !s.startsWith("./") && !s.startsWith("@/common/"));
    expect(foreign).toEqual([]);
  });
});
