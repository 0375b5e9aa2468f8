#!/usr/bin/env bash
# Starts eduCloud all-in-one: applies pending migrations, builds if the sources changed, serves the
# portal, and runs this machine's own agent (joining it on first start), so one machine is a cloud.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production
[ -f .env ] || die "No .env yet: run \`npm run setup\` first."
[ -d node_modules ] || die "No node_modules yet: run \`npm run setup\` first."
set -a; . ./.env; set +a
PORT="${PORT:-3000}"
AGENT_DIR="${EDUCLOUD_AGENT_STATE_DIR:-var/agent}"
# A Redis restarted without a config file forgot its users: put them back before anyone connects.
npx --no-install tsx scripts/secure-redis.ts --if-needed
npx --no-install tsx scripts/migrate.ts
build_if_needed

npx --no-install tsx server/main.ts &
portal=$!
agent=""
trap 'kill $portal $agent 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:${PORT}/api/v1/health" >/dev/null 2>&1 && break
  kill -0 $portal 2>/dev/null || die "the portal exited during start-up (see its log above)"
  sleep 0.5
done

if [ "${EDUCLOUD_LOCAL_AGENT:-1}" = "1" ]; then
  # The agent gets none of the portal's secrets (.env was exported above): the console keys derive from
  # NEXTAUTH_SECRET, and a host signs in to Redis as its own user.
  as_host=(env -u NEXTAUTH_SECRET -u DATABASE_URL -u REDIS_URL -u AGENT_REDIS_URL)
  if [ ! -f "$AGENT_DIR/credentials.json" ]; then
    say "Joining this machine as a compute host…"
    token="$(npx --no-install tsx scripts/create-join-token.ts)"
    "${as_host[@]}" npx --no-install tsx agents/node-agent/main.ts join --portal "http://127.0.0.1:${PORT}" --token="$token" \
      --name "$(hostname -s 2>/dev/null || echo local)" --state-dir "$AGENT_DIR"
  fi
  "${as_host[@]}" npx --no-install tsx agents/node-agent/main.ts run --state-dir "$AGENT_DIR" &
  agent=$!
fi
say "eduCloud is running on http://localhost:${PORT}"
wait $portal
