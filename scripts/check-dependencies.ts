// `npm run lint:deps`: checks the dependency rules in .dependency-cruiser.cjs and prints each violation.
// Two passes, because dependency-cruiser evaluates folder rules on the folder graph of everything it
// cruised: module rules run over the whole portal and agent; the cycle rule between domain areas runs over
// the domain's own code alone, so that a cycle means one area needs another that needs it back — not a
// detour through a test, the test harness or the agent.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cruise, type ICruiseOptions, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const CONFIG_FILE = fileURLToPath(new URL("../.dependency-cruiser.cjs", import.meta.url));
const CRUISE_ROOTS = ["app", "server", "db", "common", "agents", "cli"];
const DOMAIN = "server/domain";
// Tests import fixtures from other areas; only production code makes a cycle between areas.
const TEST_FILE = "\\.test\\.tsx?$|/testing/";

export interface DependencyViolation {
  rule: string;
  from: string;
  to: string;
  /** For a cycle between domain areas: the areas in order, and the imports that close each step. */
  cycle?: string[];
  imports?: string[];
}

/** Runs both passes in `baseDir` (the repository root, or a fixture tree laid out like it). */
export async function checkDependencies(
  baseDir: string,
  configFile = CONFIG_FILE,
): Promise<DependencyViolation[]> {
  const options = await extractDepcruiseOptions(configFile);
  const forbidden = options.ruleSet?.forbidden ?? [];
  const isFolderRule = (rule: IForbiddenRuleType) => "scope" in rule && rule.scope === "folder";
  const { exclude } = options;
  const excluded = typeof exclude === "string" || Array.isArray(exclude) ? exclude : exclude?.path;
  // Absolute, so that a fixture tree resolves "@/…" against its own tsconfig, not the repository's.
  const tsConfig = { fileName: path.resolve(baseDir, options.tsConfig?.fileName ?? "tsconfig.json") };
  const transpileOptions = { tsConfig: extractTSConfig(tsConfig.fileName) };
  const run = async (roots: string[], extra: Partial<ICruiseOptions>) => {
    const existing = roots.filter((root) => existsSync(path.join(baseDir, root)));
    if (existing.length === 0) return null;
    const { output } = await cruise(
      existing,
      { ...options, baseDir, tsConfig, ...extra },
      {},
      transpileOptions,
    );
    return output as ICruiseResult;
  };

  const modules = await run(CRUISE_ROOTS, {
    ruleSet: { ...options.ruleSet, forbidden: forbidden.filter((rule) => !isFolderRule(rule)) },
  });
  const domain = await run([DOMAIN], {
    ruleSet: { ...options.ruleSet, forbidden: forbidden.filter(isFolderRule) },
    metrics: true,
    includeOnly: { path: `^${DOMAIN}/` },
    exclude: { path: [...[excluded ?? []].flat(), TEST_FILE] },
  });

  const violations: DependencyViolation[] = [];
  for (const v of modules?.summary.violations ?? []) {
    violations.push({ rule: v.rule.name, from: v.from, to: v.to });
  }
  for (const v of domain?.summary.violations ?? []) {
    const cycle = [v.from, ...(v.cycle ?? []).map((step) => step.name)];
    violations.push({
      rule: v.rule.name,
      from: v.from,
      to: v.to,
      cycle,
      imports: importsAlong(domain!, cycle),
    });
  }
  return dedupeCycles(violations);
}

/** The module imports behind each step of a folder cycle, so the report says which file to change. */
function importsAlong(result: ICruiseResult, cycle: string[]): string[] {
  const inFolder = (file: string, folder: string) => path.posix.dirname(file) === folder;
  const imports: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const [from, to] = [cycle[i]!, cycle[i + 1]!];
    for (const m of result.modules) {
      if (!inFolder(m.source, from)) continue;
      for (const d of m.dependencies)
        if (inFolder(d.resolved, to)) imports.push(`${m.source} -> ${d.resolved}`);
    }
  }
  return imports;
}

// dependency-cruiser reports a cycle once from each folder on it; one report per set of folders is enough.
function dedupeCycles(violations: DependencyViolation[]): DependencyViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    if (!v.cycle) return true;
    const key = `${v.rule}:${[...new Set(v.cycle)].sort().join(",")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function formatViolations(violations: DependencyViolation[]): string {
  const lines = violations.map((v) => {
    if (v.cycle) {
      const steps = (v.imports ?? []).map((i) => `\n      ${i}`).join("");
      return `  error ${v.rule}: ${v.cycle.join(" -> ")}${steps}`;
    }
    return `  error ${v.rule}: ${v.from} -> ${v.to}`;
  });
  return lines.join("\n");
}

async function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const violations = await checkDependencies(root);
  if (violations.length === 0) {
    console.log("Dependency rules: no violations.");
    return;
  }
  console.log(formatViolations(violations));
  // Say why once per broken rule, from the rule's own comment, so the fix is clear without the config.
  const { ruleSet } = await extractDepcruiseOptions(CONFIG_FILE);
  const broken = new Set(violations.map((v) => v.rule));
  console.log(
    `\n${violations.length} dependency rule violation(s). Why each rule exists (.dependency-cruiser.cjs):`,
  );
  for (const name of broken) {
    const comment = ruleSet?.forbidden?.find((rule) => rule.name === name)?.comment ?? "";
    console.log(`  ${name}: ${comment}`);
  }
  process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
