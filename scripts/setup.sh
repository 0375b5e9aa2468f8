#!/usr/bin/env bash
# One-command set-up of an all-in-one eduCloud on Debian/Ubuntu. Idempotent: run it again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1

DB_NAME="${EDUCLOUD_DB_NAME:-educloud}"
DB_USER="${EDUCLOUD_DB_USER:-educloud}"
[[ "$DB_NAME" =~ ^[a-z0-9_]+$ ]] || die "EDUCLOUD_DB_NAME may hold only a-z, 0-9 and _"
[[ "$DB_USER" =~ ^[a-z0-9_]+$ ]] || die "EDUCLOUD_DB_USER may hold only a-z, 0-9 and _"

# 1. Node.js
command -v node >/dev/null || die "Node.js 20.9 or newer is needed first (see README.md, 'Before you start')."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)' \
  || die "Node.js $(node -v) is too old: eduCloud needs 20.9 or newer."

# 2. Debian packages (only the missing ones; apt-get update only when something is missing).
# Portal and tests: databases, Chromium. Compute: QEMU. Host networking: bridges and taps (iproute2),
# DHCP (dnsmasq), NAT and port forwards (nftables); UEFI guests: OVMF. The test guest: a kernel, busybox,
# syslinux (BIOS) and systemd's EFI stub with objcopy (UEFI). Local desktops on lab PCs: QEMU's GTK
# window (qemu-system-gui); their test runs an X server (xvfb) with a kiosk's window manager
# (matchbox-window-manager) and reads the screen (imagemagick's import, x11-utils' xwininfo).
PACKAGES=(mariadb-server mariadb-client redis-server chromium fonts-noto-cjk ca-certificates curl
  qemu-system-x86 qemu-utils iproute2 dnsmasq-base nftables
  busybox-static syslinux syslinux-common mtools dosfstools cpio ovmf systemd-boot-efi binutils
  qemu-system-gui xvfb matchbox-window-manager imagemagick x11-utils)
# A kernel with its modules for the test guest (a Debian machine usually has one; containers may not).
ls /lib/modules/*/modules.dep >/dev/null 2>&1 && ls /boot/vmlinuz-* >/dev/null 2>&1 || PACKAGES+=(linux-image-amd64)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages are present."
fi

# The unprivileged user QEMU drops to (-runas): a system account without home or shell, in the kvm
# group for /dev/kvm. The agent refuses to start VMs (and says why in its facts) while it is missing.
QEMU_USER="${EDUCLOUD_AGENT_QEMU_USER:-educloud-qemu}"
[[ "$QEMU_USER" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "EDUCLOUD_AGENT_QEMU_USER is not a user name"
if [ "$QEMU_USER" != root ] && ! id -u "$QEMU_USER" >/dev/null 2>&1; then
  say "Creating the system user $QEMU_USER that QEMU runs as…"
  getent group kvm >/dev/null || as_root groupadd --system kvm
  as_root useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --user-group --groups kvm "$QEMU_USER"
fi

# 3. MariaDB and Redis running.
if ! as_root mariadb-admin ping --silent >/dev/null 2>&1; then
  say "Starting MariaDB…"
  if have_systemd; then as_root systemctl enable --now mariadb; else
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd; fi
  for _ in $(seq 1 60); do as_root mariadb-admin ping --silent >/dev/null 2>&1 && break; sleep 0.5; done
  as_root mariadb-admin ping --silent >/dev/null 2>&1 || die "MariaDB did not start; see its log (journalctl -u mariadb)."
fi
# Running = answering, with PONG or (once protected by step 6b) NOAUTH.
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>&1 | grep -qE 'PONG|NOAUTH'; }
if ! redis_up; then
  say "Starting Redis…"
  if have_systemd; then as_root systemctl enable --now redis-server; else
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --appendonly yes --appendfsync everysec \
      --maxmemory-policy noeviction --dir /var/lib/redis; fi
  for _ in $(seq 1 40); do redis_up && break; sleep 0.25; done
  redis_up || die "Redis did not start."
fi
# Redis's durability (appendonly, noeviction) and its passwords are set in step 6b, once the npm
# dependencies are there: scripts/secure-redis.ts.

# 4. .env with generated secrets (kept when it exists, so re-running setup changes nothing).
if [ ! -f .env ]; then
  say "Writing .env with generated secrets…"
  DB_PASSWORD="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
  REDIS_PASSWORD="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
  AUTH_SECRET="$(node -e 'console.log(require("crypto").randomBytes(48).toString("base64url"))')"
  umask 077
  cat > .env <<ENV
# Written by npm run setup on $(date -u +%Y-%m-%dT%H:%M:%SZ). Keep it secret: it holds passwords.
DATABASE_URL=mysql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:3306/${DB_NAME}
REDIS_URL=redis://${DB_NAME}:${REDIS_PASSWORD}@127.0.0.1:6379
REDIS_PREFIX=${DB_NAME}
NEXTAUTH_SECRET=${AUTH_SECRET}
NEXTAUTH_URL=${EDUCLOUD_URL:-http://localhost:3000}
PORT=${PORT:-3000}
LOG_LEVEL=info
IMAGE_STORE_DIR=$(pwd)/var/image-store
ENV
  umask 022
else
  say ".env exists; keeping its secrets."
fi
# An .env from before Redis had passwords: give this install its Redis user (kept on later runs).
if grep -q '^REDIS_URL=redis://127.0.0.1:6379$' .env; then
  say "Giving this install a Redis user and password in .env…"
  REDIS_PASSWORD="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
  sed -i "s#^REDIS_URL=redis://127.0.0.1:6379\$#REDIS_URL=redis://${DB_NAME}:${REDIS_PASSWORD}@127.0.0.1:6379#" .env
fi
set -a; . ./.env; set +a
DB_PASSWORD="$(node -e 'console.log(decodeURIComponent(new URL(process.env.DATABASE_URL).password))')"
DB_NAME="$(node -e 'console.log(new URL(process.env.DATABASE_URL).pathname.slice(1))')"
DB_USER="$(node -e 'console.log(decodeURIComponent(new URL(process.env.DATABASE_URL).username))')"

# 5. Database and its own user. Tests get per-run databases named educloud_test_* (never the real one).
say "Preparing database ${DB_NAME} and user ${DB_USER}…"
as_root mariadb --protocol=socket -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';
ALTER USER '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
ALTER USER '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`${DB_NAME}\`.* TO '${DB_USER}'@'localhost', '${DB_USER}'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`educloud\\_test\\_%\`.* TO '${DB_USER}'@'localhost', '${DB_USER}'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

# 6. npm dependencies, migrations, first admin, build.
# `npm ci`: exactly the versions package-lock.json pins (it holds every platform's optional binaries, so
# the same lock installs anywhere), and the lock is never rewritten, so a clean clone stays clean.
say "Installing npm dependencies…"
npm ci --no-audit --no-fund
# 6b. Redis: no password-less access, the portal signs in as this install's user; queued jobs and agents'
# events survive a restart and are never evicted (scripts/secure-redis.ts).
say "Protecting Redis with passwords; appendonly yes, appendfsync everysec, maxmemory-policy noeviction…"
as_root env REDIS_URL="$REDIS_URL" EDUCLOUD_REDIS_ADMIN_FILE="${EDUCLOUD_REDIS_ADMIN_FILE:-/etc/educloud/redis-admin.env}" \
  "$(command -v node)" node_modules/tsx/dist/cli.mjs scripts/secure-redis.ts
say "Applying database migrations…"
npx --no-install tsx scripts/migrate.ts
npx --no-install tsx scripts/create-admin.ts
build_if_needed

say "Building the test guest image and registering it as a demo image…"
bash scripts/build-test-image var/images/educloud-test-guest.qcow2
npx --no-install tsx scripts/register-demo.ts var/images/educloud-test-guest.qcow2

# The command-line client for the school's IT person (docs/cli.md): a link, so it follows this checkout.
say "Installing the educloud command in /usr/local/bin…"
chmod +x bin/educloud.mjs
as_root ln -sfn "$(pwd)/bin/educloud.mjs" /usr/local/bin/educloud

say "Set-up is complete. Start eduCloud with:  npm start   (then open ${NEXTAUTH_URL})"
