// `educloud instances console-url ID`: the portal page a person opens for the instance's console. A
// ticket is asked for first, so the command answers only when the console would open now (the instance
// runs, the caller may reach it) and otherwise says why. The page takes its own tickets as the signed-in
// person: a ticket is not put in the page's URL, because the console socket trusts the ticket's user,
// and a URL travels (history, chat, a shared screen) to people who are not that user.
import type { Command } from "commander";
import { Option } from "commander";
import { addCommonOptions, clientFor, commonFlagsOf, print } from "../common-options";

export function consolePageUrl(baseUrl: string, instanceId: string, kind: "vnc" | "serial"): string {
  return `${baseUrl}/instances/${encodeURIComponent(instanceId)}/console${kind === "serial" ? "?view=serial" : ""}`;
}

/** The socket a program would connect to (ws:// or wss:// on the portal), with the single-use ticket. */
export function consoleSocketUrl(baseUrl: string, path: string, ticket: string): string {
  return `${baseUrl.replace(/^http/, "ws")}${path}?ticket=${encodeURIComponent(ticket)}`;
}

export function addConsoleUrlCommand(instances: Command): void {
  addCommonOptions(
    instances
      .command("console-url")
      .description("the console page's address for a browser (checks the console can open now)")
      .argument("<id>", "the instance's id")
      .addOption(
        new Option("--kind <kind>", "graphical (vnc) or serial console")
          .choices(["vnc", "serial"])
          .default("vnc"),
      )
      .addHelpText(
        "after",
        "\nPrints the page's address; -f json also gives the 30-second single-use socket ticket (`socket`).\n" +
          "POST /api/v1/instances/{instanceId}/console\nWho may call: user and above (their own objects, or their classes').",
      ),
  ).action(async (id: string, opts: { kind: "vnc" | "serial" }, cmd: Command) => {
    const flags = commonFlagsOf(cmd);
    const client = await clientFor(flags);
    const answer = await client.request("POST", `/instances/${encodeURIComponent(id)}/console`, {
      body: { kind: opts.kind },
    });
    const t = answer.body as { ticket: string; path: string; expiresAt: string };
    const url = consolePageUrl(client.baseUrl, id, opts.kind);
    const format = flags.outputFormat ?? "table";
    if (format === "table" || format === "value") process.stdout.write(url + "\n");
    else
      print(
        { url, socket: consoleSocketUrl(client.baseUrl, t.path, t.ticket), expiresAt: t.expiresAt },
        flags,
      );
  });
}
