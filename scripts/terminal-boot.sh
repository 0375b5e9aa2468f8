#!/bin/sh
# eduCloud thin-client boot script (docs/labs.md "Terminals"). Run at boot by any minimal Linux with a
# browser; needs only sh, curl, openssl, sed and cut. It enrols once (keeping the id and secret), then
# fetches the terminal's config with signed requests until an administrator approved it, and opens the
# browser full screen on the one-time kiosk link the config carries.
#   PORTAL     the portal's address, e.g. https://cloud.school.example (required)
#   STATE_DIR  where the id and secret are kept (default /var/lib/educloud-terminal; mode 700)
#   BROWSER    the browser command; the kiosk link is added as its last argument
#   MAC        the MAC that labels this PC for the administrator (default: the first network card's)
#   POLL       seconds between config fetches while waiting for approval (default 10)
set -eu
: "${PORTAL:?set PORTAL to the portal address}"
STATE_DIR=${STATE_DIR:-/var/lib/educloud-terminal}
BROWSER=${BROWSER:-chromium --kiosk --incognito --noerrdialogs --no-first-run}
POLL=${POLL:-10}

first_mac() {
  for f in /sys/class/net/*/address; do
    case "$f" in */lo/address) continue ;; esac
    cat "$f" && return 0
  done
}
# One string field of the portal's flat JSON answers (terminalId, secret, kioskUrl, message).
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

if [ ! -s "$STATE_DIR/secret" ]; then
  mkdir -p "$STATE_DIR" && chmod 700 "$STATE_DIR"
  umask 077
  answer=$(curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"mac\":\"${MAC:-$(first_mac)}\",\"name\":\"$(hostname)\"}" "$PORTAL/api/v1/terminals/enrol")
  printf '%s' "$answer" | field terminalId >"$STATE_DIR/id"
  printf '%s' "$answer" | field secret >"$STATE_DIR/secret"
fi
ID=$(cat "$STATE_DIR/id")
SECRET=$(cat "$STATE_DIR/secret")
echo "eduCloud terminal, code $(printf '%s' "$ID" | cut -c1-8): an administrator approves it under Terminals."

# GET with the terminal's signature: HMAC-SHA256 over method, path, timestamp, a fresh nonce and the
# body's SHA-256 (a GET has no body: the SHA-256 of nothing).
EMPTY_SHA256=$(printf '' | openssl dgst -sha256 | sed 's/^.* //')
signed_get() {
  ts=$(date +%s)
  nonce=$(openssl rand -hex 16)
  sig=$(printf '%s\n%s\n%s\n%s\n%s' GET "$1" "$ts" "$nonce" "$EMPTY_SHA256" |
    openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
  curl -sS -H "x-educloud-terminal: $ID" -H "x-educloud-timestamp: $ts" -H "x-educloud-nonce: $nonce" \
    -H "x-educloud-signature: $sig" -w '\n%{http_code}' "$PORTAL$1"
}

while :; do
  out=$(signed_get /api/v1/terminals/config) || out=$(printf '\n000')
  status=$(printf '%s\n' "$out" | tail -n 1)
  body=$(printf '%s\n' "$out" | sed '$d')
  [ "$status" = 200 ] && break
  # Pending or revoked (403), the clock off (401), the portal unreachable: say why, and try again.
  printf '%s\n' "$body" | field message >&2 || true
  sleep "$POLL"
done
# shellcheck disable=SC2086 # BROWSER is a command line
exec $BROWSER "$(printf '%s' "$body" | field kioskUrl)"
