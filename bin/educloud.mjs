#!/usr/bin/env node
// The `educloud` command: registers tsx (the project runs TypeScript as is) and runs cli/main.ts.
// Symlinked onto PATH by scripts/setup.sh; Node follows the link, so the paths below are the repository's.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";

// `educloud instances list | head`: the reader went away, which is not an error of ours.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const root = new URL("../", import.meta.url);
register({ tsconfig: fileURLToPath(new URL("tsconfig.json", root)) });
const { main } = await import(new URL("cli/main.ts", root).href);
process.exitCode = await main(process.argv.slice(2));
