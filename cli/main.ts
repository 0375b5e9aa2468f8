// `educloud`: the portal's REST API on the command line. Built-in commands (login, whoami, api) work
// anywhere; the rest are made from the portal's OpenAPI document (generated-commands.ts) plus a few
// conveniences (console-url, images upload, users import). Exit codes: exit-codes.ts.
import { Command, CommanderError } from "commander";
import { ApiClient } from "./api-client";
import { addCommonOptions } from "./common-options";
import { resolveConnection } from "./config";
import { CliError, EXIT } from "./exit-codes";
import { addGeneratedCommand, commandSpecOf, type CommandSpec } from "./generated-commands";
import { loadDocument, operationsOf } from "./openapi-spec";
import { addAccountCommands } from "./commands/account-commands";
import { addApiCommand } from "./commands/api-command";
import { addConsoleUrlCommand } from "./commands/console-url-command";
import { addImagesUploadCommand } from "./commands/images-upload-command";
import { addUsersImportCommand } from "./commands/users-import-command";

const BUILT_IN = ["login", "logout", "whoami", "api", "help"];
const VALUE_OPTIONS = ["--url", "--token", "-f", "--output-format", "-c", "--column"];

/** The words before any option: ["instances", "list"] of `educloud -f json instances list --all`. */
export function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (VALUE_OPTIONS.includes(a)) i++;
      if (words.length) break;
      continue;
    }
    words.push(a);
    if (words.length === 2) break;
  }
  return words;
}

function flagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i]!.startsWith(`${name}=`)) return argv[i]!.slice(name.length + 1);
  }
  return undefined;
}

function baseProgram(): Command {
  const program = new Command("educloud")
    .description("eduCloud on the command line: every REST operation of your portal, plus a few conveniences")
    .version("0.1.0")
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      "\nStart with: educloud login --url https://portal.school.example --token ect_…\n" +
        "Output: -f table|json|csv|yaml|value, -c COLUMN (repeatable). Exit codes: 0 ok, 1 refused by the portal,\n" +
        "2 usage error, 3 portal unreachable, 4 waited-for work ended in error.",
    );
  addCommonOptions(program);
  addAccountCommands(program);
  addApiCommand(program);
  return program;
}

function groupOf(program: Command, name: string): Command {
  return (
    program.commands.find((c) => c.name() === name) ??
    program.command(name).description(`${name} (see its commands)`)
  );
}

export function buildProgram(specs: CommandSpec[]): Command {
  const program = baseProgram();
  for (const spec of specs) addGeneratedCommand(program, spec);
  addConsoleUrlCommand(groupOf(program, "instances"));
  addImagesUploadCommand(groupOf(program, "images"));
  addUsersImportCommand(groupOf(program, "users"));
  // Help lists actions alphabetically, the hand-made ones among the generated.
  for (const c of program.commands)
    (c.commands as Command[]).sort((a, b) => a.name().localeCompare(b.name()));
  return program;
}

async function specsFor(argv: string[], words: string[]): Promise<CommandSpec[] | null> {
  let connection;
  try {
    connection = await resolveConnection({
      url: flagValue(argv, "--url"),
      token: flagValue(argv, "--token"),
    });
  } catch (err) {
    // No portal yet: `educloud --help` still shows the built-ins; a resource command says how to set one.
    if (words.length === 0) return null;
    throw err;
  }
  const client = new ApiClient(connection.url, connection.token);
  const known = (specs: CommandSpec[]) =>
    words.length < 2 || specs.some((s) => s.resource === words[0] && s.action === words[1]);
  let loaded = await loadDocument(client);
  let specs = operationsOf(loaded.doc).flatMap((o) => commandSpecOf(o) ?? []);
  // A command the cached document does not know may be new in the portal: ask it again once.
  if (!known(specs) && loaded.fromCache) {
    loaded = await loadDocument(client, { refresh: true });
    specs = operationsOf(loaded.doc).flatMap((o) => commandSpecOf(o) ?? []);
  }
  return specs;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const words = commandWords(argv);
    const specs = words[0] && BUILT_IN.includes(words[0]) ? [] : await specsFor(argv, words);
    const program = specs ? buildProgram(specs) : baseProgram();
    if (!specs)
      program.addHelpText("after", "\n(Set a portal with `educloud login` to see its resource commands.)");
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
      // Commander printed what was wrong; a group called without its action printed its help.
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`educloud: ${err.message}\n`);
      for (const line of err.details) process.stderr.write(`${line}\n`);
      return err.exitCode;
    }
    process.stderr.write(`educloud: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 70;
  }
}
