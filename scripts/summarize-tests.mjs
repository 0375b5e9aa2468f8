// Adds up the runners' JSON reports into one closing line: "tests: N passed, N failed[, N skipped]".
import { existsSync, readFileSync } from "node:fs";

const [dir, ...failedPhases] = process.argv.slice(2);
let passed = 0,
  failed = 0,
  skipped = 0;
const read = (f) => (existsSync(`${dir}/${f}`) ? JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) : null);

for (const f of ["unit.json", "integration.json"]) {
  const r = read(f);
  if (!r) continue;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
const e2e = read("e2e.json");
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
}
if (failedPhases.length) console.log(`failed phases: ${failedPhases.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failedPhases.length || failed ? 1 : 0);
