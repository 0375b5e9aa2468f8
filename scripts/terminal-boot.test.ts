// docs/labs.md shows the boot script a school's IT person copies; the Playwright spec runs the file.
// They must be the same text, or the tested script is not the documented one.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("the terminal boot script in docs/labs.md", () => {
  it("is scripts/terminal-boot.sh, verbatim", () => {
    const doc = readFileSync("docs/labs.md", "utf8");
    const script = readFileSync("scripts/terminal-boot.sh", "utf8");
    const block = /\*\*The boot script\*\*[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(script);
  });
});
