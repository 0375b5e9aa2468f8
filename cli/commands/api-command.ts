// `educloud api [METHOD] PATH [--data JSON]`: any path of /api/v1, raw (like `lxc query` or `pvesh`): the
// answer's body as it came (JSON pretty-printed), and exit 1 with the body on stdout when it is an error.
import type { Command } from "commander";
import { addCommonOptions, clientFor, commonFlagsOf } from "../common-options";
import { CliError, EXIT, usageError } from "../exit-codes";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

export function addApiCommand(program: Command): void {
  addCommonOptions(
    program
      .command("api")
      .description("call any REST path as it is: educloud api GET /instances")
      .argument("<method-or-path>", "GET, POST, PUT, PATCH, DELETE (default GET), or the path")
      .argument("[path]", "the path under /api/v1, with its query string")
      .option("-d, --data <json>", "a JSON body")
      .option("-i, --include", "print the status and headers first (on stderr)"),
    { output: false },
  ).action(
    async (
      first: string,
      second: string | undefined,
      opts: { data?: string; include?: boolean },
      cmd: Command,
    ) => {
      const method = second === undefined ? "GET" : first.toUpperCase();
      const target = second ?? first;
      if (!METHODS.includes(method))
        throw usageError(`Unknown method ${first}: use one of ${METHODS.join(", ")}.`);
      if (!target.startsWith("/")) throw usageError(`The path starts with / (got "${target}").`);
      let body: unknown;
      if (opts.data !== undefined) {
        try {
          body = JSON.parse(opts.data);
        } catch {
          throw usageError("--data takes JSON.");
        }
      }
      const client = await clientFor(commonFlagsOf(cmd));
      const [path, search] = target.split("?", 2) as [string, string | undefined];
      const answer = await client.request(method, path, {
        query: new URLSearchParams(search ?? ""),
        body,
        raw: true,
      });
      if (opts.include) {
        process.stderr.write(`HTTP ${answer.status}\n`);
        answer.headers.forEach((v, k) => process.stderr.write(`${k}: ${v}\n`));
      }
      if (answer.body !== null)
        process.stdout.write(
          typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body, null, 2) + "\n",
        );
      if (answer.status >= 400) throw new CliError(`HTTP ${answer.status}`, EXIT.refused);
    },
  );
}
