import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";

export const TEST_IMAGE_PATH = resolve("var/images/educloud-test-guest.qcow2");

/** Builds the tiny test guest once (scripts/build-test-image skips the work when it is current). */
export async function ensureTestImage(): Promise<string> {
  await promisify(execFile)("bash", ["scripts/build-test-image", TEST_IMAGE_PATH], { timeout: 300_000 });
  if (!existsSync(TEST_IMAGE_PATH))
    throw new Error(`scripts/build-test-image did not produce ${TEST_IMAGE_PATH}`);
  return TEST_IMAGE_PATH;
}
