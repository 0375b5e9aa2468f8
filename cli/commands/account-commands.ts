// `educloud login`, `logout` and `whoami`: the portal and token kept in ~/.config/educloud/config.json.
import { rm } from "node:fs/promises";
import type { Command } from "commander";
import { ApiClient } from "../api-client";
import { addCommonOptions, clientFor, commonFlagsOf, note, print } from "../common-options";
import { configPath, normalizeUrl, saveConfig } from "../config";
import { usageError } from "../exit-codes";
import { loadDocument } from "../openapi-spec";

export function addAccountCommands(program: Command): void {
  addCommonOptions(
    program
      .command("login")
      .description("check a token against the portal and save both (file mode 0600)")
      .addHelpText("after", "\nMake a token in the portal: Settings → API tokens. The token is shown once."),
  ).action(async (_opts, cmd: Command) => {
    const flags = commonFlagsOf(cmd);
    const url = flags.url || process.env.EDUCLOUD_URL;
    const token = flags.token || process.env.EDUCLOUD_TOKEN;
    if (!url || !token)
      throw usageError("login needs --url and --token (or EDUCLOUD_URL and EDUCLOUD_TOKEN).");
    const client = new ApiClient(normalizeUrl(url), token);
    // Saved only once the portal accepts it: a typo fails here, not on the next command.
    const me = (await client.get("/account")).body as { username?: string; role?: string };
    await loadDocument(client, { refresh: true });
    const path = await saveConfig({ url: client.baseUrl, token });
    note(`Signed in to ${client.baseUrl} as ${me.username ?? "?"} (${me.role ?? "?"}); saved in ${path}.`);
  });

  program
    .command("logout")
    .description("forget the saved portal and token (the token stays valid until revoked in the portal)")
    .action(async () => {
      await rm(configPath(), { force: true });
      note(`Removed ${configPath()}. Revoke the token in Settings → API tokens if it may have leaked.`);
    });

  addCommonOptions(program.command("whoami").description("the account the token acts for")).action(
    async (_opts, cmd: Command) => {
      const flags = commonFlagsOf(cmd);
      const client = await clientFor(flags);
      print((await client.get("/account")).body, flags);
    },
  );
}
