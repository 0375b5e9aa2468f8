// `educloud users import class.csv`: the class list as the portal's import takes it (header row:
// username, display name, email, group), one result per row with the initial passwords, shown once.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { addCommonOptions, clientFor, commonFlagsOf, note, print } from "../common-options";
import { CliError, EXIT, usageError } from "../exit-codes";

interface RowResult {
  line: number;
  username: string;
  status: string;
  password?: string;
  error?: unknown;
}

/**
 * A row's refusal arrives as a message code with parameters (the portal's UI translates it); the CLI
 * words it from the English catalogue of the same checkout, and shows the code when it is not there.
 */
let catalogue: Record<string, unknown> | null | undefined;
export async function renderMessage(m: unknown): Promise<string | null> {
  if (m === null || m === undefined) return null;
  if (typeof m === "string") return m;
  const { code, params = {} } = m as { code?: string; params?: Record<string, string | number> };
  if (!code) return JSON.stringify(m);
  if (catalogue === undefined) {
    try {
      const en = JSON.parse(await readFile(new URL("../../messages/en.json", import.meta.url), "utf8")) as {
        server?: Record<string, unknown>;
      };
      catalogue = en.server ?? null;
    } catch {
      catalogue = null;
    }
  }
  let text: unknown = catalogue;
  for (const part of code.split(".")) text = (text as Record<string, unknown> | null)?.[part];
  if (typeof text !== "string") return code;
  return text.replace(/\{(\w+)\}/g, (all, name: string) => (name in params ? String(params[name]) : all));
}

async function readInput(file: string): Promise<string> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(file, "utf8");
  } catch {
    throw usageError(`Cannot read ${file}.`);
  }
}

export function addUsersImportCommand(users: Command): void {
  addCommonOptions(
    users
      .command("import")
      .description("create accounts from a CSV file (- for stdin); prints each row and its initial password")
      .argument("<file>", "CSV with a header row: username, display name, email, group")
      .addHelpText(
        "after",
        "\nThe passwords are shown this once: keep the output (-f csv > passwords.csv).\n" +
          "Exit 1 when some rows were not created (the others were).\nPOST /api/v1/users/import\nWho may call: superAdm.",
      ),
  ).action(async (file: string, _opts, cmd: Command) => {
    const flags = commonFlagsOf(cmd);
    const csv = await readInput(file);
    const client = await clientFor(flags);
    const rows = (await client.request("POST", "/users/import", { body: { csv } })).body as RowResult[];
    const shown = [];
    for (const r of rows)
      shown.push({
        line: r.line,
        username: r.username,
        status: r.status,
        password: r.password ?? null,
        error: await renderMessage(r.error),
      });
    print(shown, flags);
    const failed = rows.filter((r) => r.status !== "created").length;
    note(`${rows.length - failed} created, ${failed} not.`);
    if (failed)
      throw new CliError(`${failed} row${failed > 1 ? "s were" : " was"} not created.`, EXIT.refused);
  });
}
