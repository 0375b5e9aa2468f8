// Converts a checked image to qcow2 with qemu-img, bounded: a wall-clock `timeout`, lower CPU priority,
// -U (no locking), no backing file, and the output's size watched against the cap while it is written.
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { ImageRefusal } from "./inspect-image";

export interface ConvertOptions {
  from: "qcow2" | "raw" | "vmdk" | "vdi";
  maxBytes: number;
  timeoutSeconds: number;
  /** 0–1 as qemu-img reports it (-p). */
  onProgress?: (fraction: number) => void;
}

/** Parses qemu-img's `-p` output ("    (42.17/100%)\r"); the last figure in the chunk, or null. */
export function parseConvertProgress(chunk: string): number | null {
  const all = [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
  const last = all.at(-1);
  return last ? Math.min(1, Number(last[1]) / 100) : null;
}

export async function convertToQcow2(src: string, dest: string, o: ConvertOptions): Promise<void> {
  const args = [
    "--kill-after=10",
    String(o.timeoutSeconds),
    "nice",
    "-n",
    "10",
    "qemu-img",
    "convert",
    "-U",
    "-p",
    "-f",
    o.from,
    "-O",
    "qcow2",
    "-o",
    "compat=1.1",
    src,
    dest,
  ];
  const child = spawn("timeout", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let overCap = false;
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    const f = parseConvertProgress(d);
    if (f !== null) o.onProgress?.(f);
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  // The output may grow past the cap (a small sparse input with a huge virtual size): stop it there.
  const watch = setInterval(() => {
    void stat(dest).then(
      (s) => {
        if (s.size > o.maxBytes && !overCap) {
          overCap = true;
          child.kill("SIGKILL");
        }
      },
      () => undefined,
    );
  }, 250);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearInterval(watch);
  if (overCap)
    throw new ImageRefusal(`The converted image grew larger than the size cap (${o.maxBytes} bytes).`);
  if (code === 124 || code === 137)
    throw new ImageRefusal(`Converting the image took longer than ${o.timeoutSeconds} s and was stopped.`);
  if (code !== 0)
    throw new ImageRefusal(
      `qemu-img could not convert the image: ${stderr.trim().split("\n")[0] || `exit ${code}`}`,
    );
  if ((await stat(dest)).size > o.maxBytes)
    throw new ImageRefusal(`The converted image grew larger than the size cap (${o.maxBytes} bytes).`);
}
