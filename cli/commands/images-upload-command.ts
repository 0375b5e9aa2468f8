// `educloud images upload FILE --name N --format qcow2`: a resumable tus upload with a progress bar on
// a terminal; run it again after an interruption and it continues where the portal's copy ends.
import { basename } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { addCommonOptions, clientFor, commonFlagsOf, note, print } from "../common-options";
import { waitForWork } from "../follow-work";
import { waitOptionsOf } from "../generated-commands";
import { progressBar, uploadResumable } from "../tus-upload";

const FORMATS = ["qcow2", "raw", "vmdk", "vdi", "vhdx", "iso"];

interface UploadFlags {
  name: string;
  format: string;
  osType?: string;
  minDiskGib?: string;
  minRamMib?: string;
  visibility?: string;
  groupId?: string;
  newVersionOf?: string;
  wait?: boolean;
  waitTimeout?: string;
}

export function addImagesUploadCommand(images: Command): void {
  addCommonOptions(
    images
      .command("upload")
      .description("upload an image file (resumable: run it again to continue an interrupted upload)")
      .argument("<file>", "the image file")
      .requiredOption("--name <text>", "(required) the image's name")
      .addOption(
        new Option("--format <format>", "(required) the file's format")
          .choices(FORMATS)
          .makeOptionMandatory(),
      )
      .option("--os-type <os>", "linux or windows (default linux)")
      .option("--min-disk-gib <integer>", "smallest disk it boots from")
      .option("--min-ram-mib <integer>", "least memory it needs")
      .option("--visibility <visibility>", "private, group or public (default private)")
      .option("--group-id <integer>", "the group it belongs to (visibility group)")
      .option("--new-version-of <uuid>", "add it as a new version of this image")
      .option("--wait", "wait until the portal has checked and converted it (exit 4 if that fails)")
      .option("--wait-timeout <seconds>", "give up waiting after this long (default 1800)")
      .addHelpText(
        "after",
        "\nPOST /api/v1/uploads (tus 1.0.0), then PATCH /api/v1/uploads/{id}\nWho may call: powerUser and above.",
      ),
  ).action(async (file: string, opts: UploadFlags, cmd: Command) => {
    const flags = commonFlagsOf(cmd);
    const client = await clientFor(flags);
    const meta: Record<string, string> = { name: opts.name, format: opts.format, filename: basename(file) };
    const extra = {
      osType: opts.osType,
      minDiskGiB: opts.minDiskGib,
      minRamMiB: opts.minRamMib,
      visibility: opts.visibility,
      groupId: opts.groupId,
      newVersionOf: opts.newVersionOf,
    };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) meta[k] = v;
    const tty = process.stderr.isTTY;
    let lastDraw = 0;
    const result = await uploadResumable(client, file, meta, {
      progress: tty
        ? (sent, total) => {
            if (sent < total && Date.now() - lastDraw < 100) return;
            lastDraw = Date.now();
            process.stderr.write(`\r${progressBar(sent, total)}`);
          }
        : undefined,
    });
    if (tty) process.stderr.write("\n");
    if (result.resumedFrom > 0) note(`Resumed from byte ${result.resumedFrom}.`);
    if (opts.wait && result.taskId) {
      const task = await waitForWork(client, `/tasks/${result.taskId}`, "task", waitOptionsOf(opts));
      print(task, flags);
      return;
    }
    print({ taskId: result.taskId, bytes: result.bytes, resumedFrom: result.resumedFrom }, flags);
  });
}
