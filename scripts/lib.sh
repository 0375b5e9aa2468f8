# Shared helpers for eduCloud's shell scripts. Sourced, not run.
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when we are not.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    die "this step needs root: run as root or install sudo ($*)"; fi
}

have_systemd() { [ -d /run/systemd/system ]; }

# Hash of everything that goes into `next build`, so a build is redone only when its inputs changed.
source_stamp() {
  local inputs=() p
  for p in app server db i18n messages public agents/protocol next.config.mjs postcss.config.mjs tsconfig.json package-lock.json; do
    [ -e "$p" ] && inputs+=("$p")
  done
  find "${inputs[@]}" -type f -not -path '*/node_modules/*' -not -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

build_if_needed() {
  local stamp; stamp="$(source_stamp)"
  if [ -f .next/BUILD_ID ] && [ "$(cat .next/educloud-build-stamp 2>/dev/null)" = "$stamp" ]; then
    say "Portal build is up to date."
    return
  fi
  say "Building the portal (next build)…"
  rm -f .next/educloud-build-stamp
  NEXT_TELEMETRY_DISABLED=1 npx --no-install next build || { warn "next build failed"; return 1; }
  echo "$stamp" > .next/educloud-build-stamp
}
