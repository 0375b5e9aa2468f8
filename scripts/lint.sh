#!/usr/bin/env bash
# `npm run lint`: ESLint, the dependency rules (.dependency-cruiser.cjs) and Prettier's format check. All
# three always run and each reports, so one run shows everything to fix; the exit status is non-zero when
# any failed. ESLint (type-aware, one core for most of the run) goes in parallel with the other two.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

check() { # id, command…
  local id="$1" start=$SECONDS
  shift
  "$@" >"$out/$id.log" 2>&1
  echo "$? $((SECONDS - start))" >"$out/$id.status"
}

started=$SECONDS
check eslint npx --no-install eslint --max-warnings 0 . &
{
  check dependencies npx --no-install tsx scripts/check-dependencies.ts
  check format npx --no-install prettier --check --log-level warn .
} &
wait

failed=()
for entry in "eslint:ESLint" "dependencies:Dependency rules" "format:Formatting (prettier --check)"; do
  id="${entry%%:*}" label="${entry#*:}"
  read -r rc secs <"$out/$id.status"
  if [ "$rc" -eq 0 ]; then say "$label: ok (${secs}s)"; else say "$label: FAILED (${secs}s)"; fi
  [ -s "$out/$id.log" ] && cat "$out/$id.log"
  [ "$rc" -eq 0 ] || failed+=("$label")
done

if [ "${#failed[@]}" -gt 0 ]; then
  joined="$(printf '%s, ' "${failed[@]}")"
  printf '\nLint failed (%ss): %s\n' "$((SECONDS - started))" "${joined%, }" >&2
  exit 1
fi
echo "Lint passed ($((SECONDS - started))s)."
