import { readFile } from "node:fs/promises";

export const BANNER = "EDUCLOUD-TEST-GUEST READY";

export async function readSerialLog(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}

export function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Polls the serial log until `matches` is true; returns the log, or throws with its tail. */
export async function waitForSerialLog(
  path: string,
  matches: (log: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readSerialLog(path);
    if (matches(log)) return log;
    if (Date.now() > deadline)
      throw new Error(`serial log did not match within ${timeoutMs} ms; its end:\n${log.slice(-1500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
