#!/usr/bin/env bash
# Installs everything unboxed needs on a Debian machine. Idempotent: a second run only
# checks. Usage: scripts/install.sh [--for-tests]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

for_tests=false
[ "${1:-}" = --for-tests ] && for_tests=true

step "Node.js (20.9 or newer)"
command -v node >/dev/null || apt_install nodejs npm
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)' ||
  die "Node.js $(node --version) is too old: unboxed needs 20.9 or newer. Install a newer nodejs package (e.g. from NodeSource's Debian repository), then run this again."
info "node $(node --version), npm $(npm --version)"

step "Build tools for native npm packages (node-pty)"
apt_install build-essential python3

step "npm packages"
# package-lock.json is the source of truth; reinstall when it changed since the last install.
# `npm install` rather than `npm ci`: npm 11 leaves other platforms' optional packages
# (@next/swc-darwin-*, …) out of the lock and then `npm ci` refuses it as out of sync.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
else
  info "node_modules is up to date"
fi

bash sandbox/host/ensure-engine.sh
bash sandbox/image/build.sh
# The qemu driver's VM (disk, kernel): for the tests, or when the operator chose that driver.
if $for_tests || [ "${UNBOXED_SANDBOX_DRIVER:-auto}" = qemu ]; then
  bash sandbox/image/build-vm.sh
fi

if $for_tests; then
  step "PostgreSQL server for the storage suite (npm run test:postgres starts its own throwaway cluster)"
  apt_install postgresql

  step "Browser for the end-to-end tests"
  if command -v apt-get >/dev/null; then
    apt_install chromium fonts-dejavu-core
  elif [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
    npx playwright install chromium
  fi
fi
step "Installed"
