// Drives the test guest's root shell on its serial console (the socket QEMU serves) and reads the
// answer from the serial log, which keeps everything the guest printed.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { readSerialLog, waitForSerialLog } from "../../drivers/qemu/testing/serial-log";

export interface GuestCommandResult {
  code: number;
  /** What the command printed (stdout and stderr), one entry per line. */
  lines: string[];
}

async function typeLine(socketPath: string, line: string): Promise<void> {
  const socket = connect(socketPath);
  await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
  socket.write(`${line}\n`);
  await new Promise((r) => setTimeout(r, 300));
  socket.end();
}

/**
 * Runs `command` in the guest and waits for its exit code. Markers are printed as `X$((6*7))X…`, so
 * the shell's echo of the typed line (which shows `$((6*7))` literally) never looks like an answer.
 * One command at a time per guest: QEMU serves one serial client.
 */
export async function runOnGuest(
  paths: { serialSocket: string; serialLog: string },
  command: string,
  timeoutMs = 30_000,
): Promise<GuestCommandResult> {
  const tag = randomBytes(3).toString("hex");
  const out = `/tmp/o${tag}`;
  await typeLine(
    paths.serialSocket,
    `(${command}) >${out} 2>&1; echo X$((6*7))X${tag}RC=$?; sed "s/^/X$((6*7))X${tag}: /" ${out}; echo X$((6*7))X${tag}END`,
  );
  const end = new RegExp(`^X42X${tag}END\\r?$`, "m");
  const log = await waitForSerialLog(paths.serialLog, (l) => end.test(l), timeoutMs);
  const code = Number(new RegExp(`^X42X${tag}RC=(\\d+)\\r?$`, "m").exec(log)?.[1] ?? Number.NaN);
  const lines = [...log.matchAll(new RegExp(`^X42X${tag}: (.*?)\\r?$`, "gm"))].map((m) => m[1] ?? "");
  return { code, lines };
}

/**
 * Every address DHCP gave the guest, in order, from its `EDUCLOUD-NET eth0 <ip>/<prefix>` lines (not
 * anchored at the line start: the line may follow the shell's prompt).
 */
export async function readGuestAddresses(serialLog: string): Promise<string[]> {
  return [...(await readSerialLog(serialLog)).matchAll(/EDUCLOUD-NET eth0 (\S+?)\r?$/gm)].map(
    (m) => m[1] ?? "",
  );
}
