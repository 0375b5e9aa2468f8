// The options every command takes: which portal and token, and how to print. They are accepted before
// the command (`educloud -f json instances list`) and after it (`educloud instances list -f json`).
import { type Command, Option } from "commander";
import { ApiClient } from "./api-client";
import { resolveConnection } from "./config";
import { formatOutput, OUTPUT_FORMATS, parseFormat, type OutputOptions } from "./output-format";

export interface CommonFlags {
  url?: string;
  token?: string;
  outputFormat?: string;
  column?: string[];
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function addCommonOptions(cmd: Command, opts: { output?: boolean } = {}): Command {
  cmd
    .option("--url <url>", "the portal's address (else EDUCLOUD_URL, else `educloud login`'s)")
    .option("--token <token>", "an API token ect_… (else EDUCLOUD_TOKEN, else `educloud login`'s)");
  if (opts.output !== false) {
    cmd.addOption(
      new Option("-f, --output-format <format>", "how to print")
        .choices([...OUTPUT_FORMATS])
        .default(undefined),
    );
    cmd.option(
      "-c, --column <name>",
      "print only this column (repeatable; `image.id` reaches inside)",
      collect,
    );
  }
  return cmd;
}

/** The leaf command's flags over the program's (an option given after the command wins). */
export function commonFlagsOf(cmd: Command): CommonFlags {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const merged: CommonFlags = {};
  for (const c of chain) {
    const o = c.opts<CommonFlags>();
    for (const key of ["url", "token", "outputFormat", "column"] as const)
      if (o[key] !== undefined) (merged as Record<string, unknown>)[key] = o[key];
  }
  return merged;
}

export async function clientFor(flags: CommonFlags): Promise<ApiClient> {
  const { url, token } = await resolveConnection(flags);
  return new ApiClient(url, token);
}

export function outputOptionsOf(flags: CommonFlags): OutputOptions {
  return { format: parseFormat(flags.outputFormat ?? "table"), columns: flags.column };
}

export function print(data: unknown, flags: CommonFlags): void {
  process.stdout.write(formatOutput(data, outputOptionsOf(flags)));
}

/** Progress and hints go to stderr, so stdout stays the answer a script reads. */
export const note = (line: string) => process.stderr.write(line + "\n");
