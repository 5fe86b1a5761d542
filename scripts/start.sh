#!/usr/bin/env bash
# README command 1: install what is needed, build, and start unboxed on http://127.0.0.1:3000
# (HOST and PORT change that; see README). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1

bash scripts/install.sh

step "Building the site (validates every lesson first)"
npm run build --silent

step "Starting unboxed"
export NODE_ENV=production
exec node --import tsx server.ts
