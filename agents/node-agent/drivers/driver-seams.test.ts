// Nothing outside a driver's folder knows that driver: its files, its sockets, its name. The one list
// of drivers (create-host-drivers.ts) is the only place that names one. A new driver then needs no
// `if (qemu)` anywhere else.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { HYPERVISOR_KINDS } from "../../protocol/hypervisor";

const agentDir = join(__dirname, "..");
const REGISTRATION = "drivers/create-host-drivers.ts";

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (e.name.endsWith(".ts")) out.push(relative(agentDir, path));
  }
  return out;
}

/** Agent code outside every driver's own folder; tests and test helpers may set up a real driver. */
async function codeAroundDrivers(): Promise<string[]> {
  const kinds = HYPERVISOR_KINDS.map((k) => `drivers/${k}/`);
  return (await sourceFiles(agentDir)).filter(
    (f) => !kinds.some((k) => f.startsWith(k)) && !/\.test\.ts$/.test(f) && !f.includes("/testing/"),
  );
}

describe("driver seams", () => {
  it("only the driver list imports from a driver's folder", async () => {
    const offenders: string[] = [];
    for (const f of await codeAroundDrivers()) {
      if (f === REGISTRATION) continue;
      const text = await readFile(join(agentDir, f), "utf8");
      for (const kind of HYPERVISOR_KINDS)
        if (new RegExp(`from "[^"]*/${kind}/[^"]*"|from "\\./${kind}/`).test(text))
          offenders.push(`${f} → ${kind}/`);
    }
    expect(offenders).toEqual([]);
  });

  it("no code around the drivers branches on a hypervisor's name or knows QEMU's files", async () => {
    const names = HYPERVISOR_KINDS.map((k) => `"${k}"`).join("|");
    const knowledge = new RegExp(
      `(===|!==|case)\\s*(${names})|spec\\.json|\\.sock\\b|qmp|resolveVmPaths`,
      "i",
    );
    const offenders: string[] = [];
    for (const f of await codeAroundDrivers()) {
      const lines = (await readFile(join(agentDir, f), "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (!line.trim().startsWith("//") && !line.trim().startsWith("*") && knowledge.test(line))
          offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
