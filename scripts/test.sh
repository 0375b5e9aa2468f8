#!/usr/bin/env bash
# `npm test`: the REST API types (generated from the OpenAPI document), lint (ESLint, dependency rules,
# formatting), type-check, unit, integration (real MariaDB + Redis, own database per run), e2e (Chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1
[ -f .env ] || die "No .env: run \`npm run setup\` first (it prepares MariaDB, Redis and the test database grant)."
REPORTS=e2e/.artifacts/reports
rm -rf "$REPORTS"; mkdir -p "$REPORTS"
failed_phases=()

phase() { # name, command…
  local name="$1"; shift
  say "$name"
  "$@" || failed_phases+=("$name")
}

# The REST client's types come from the OpenAPI document as it is now: before anything reads the tests.
phase "API types from the OpenAPI document" npx --no-install tsx --conditions=react-server scripts/gen-api-types.ts
phase "Lint" bash scripts/lint.sh
phase "Type-check" npx --no-install tsc --noEmit
phase "Unit tests" npx --no-install vitest run --project unit --reporter=default --reporter=json --outputFile.json="$REPORTS/unit.json"
phase "Integration tests" npx --no-install vitest run --project integration --reporter=default --reporter=json --outputFile.json="$REPORTS/integration.json"
if build_if_needed; then
  PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/e2e.json" phase "End-to-end tests (Chromium)" npx --no-install playwright test --reporter=list,json
else
  failed_phases+=("Build")
fi

node scripts/summarize-tests.mjs "$REPORTS" "${failed_phases[@]}"
