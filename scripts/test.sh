#!/usr/bin/env bash
# README command 2: installs what the tests need, then runs every suite and prints one
# closing line. Each suite runs even when an earlier one failed, so one run shows all.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export NEXT_TELEMETRY_DISABLED=1

bash scripts/install.sh --for-tests || die "installation failed"

passed=0
failed=()
suite() {
  local name=$1
  shift
  step "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    info "$name: ok in $((SECONDS - start)) s"
  else
    failed+=("$name")
    info "$name: FAILED after $((SECONDS - start)) s"
  fi
}

suite "typecheck" npm run --silent typecheck
suite "lint" npm run --silent lint
suite "unit tests" npm run --silent test:unit
suite "storage suite on PostgreSQL (a throwaway cluster)" npm run --silent test:postgres
suite "build (content check + next build)" npm run --silent build
suite "learner machines (docker driver: conformance, isolation, limits; the manager; host engine restarts; what changed)" npm run --silent test:machine
suite "a host's full density (150 idle machines)" npm run --silent test:fleet
suite "learner machines (qemu driver: golden state, restore, conformance, isolation; what changed)" npm run --silent test:vm
suite "the docker driver on a cgroup v2 host (nested in a qemu guest: conformance, limits the learner cannot lift)" npm run --silent test:docker-on-v2
suite "learner machines on a Docker Swarm (three nodes in network namespaces: conformance, containment, placement, a drained node, a killed node)" \
  bash -c 'npm run --silent test:swarm; status=$?; npx tsx tests/swarm/cluster.ts down >/dev/null; exit $status'
suite "escape and abuse suite (docker and qemu drivers)" npm run --silent test:security
suite "durability (SIGKILL the server while it records checks, restart, retry)" npm run --silent test:durability
suite "lessons-tests (every lesson's checks on real machines)" npm run --silent test:lessons
suite "lessons-tests on cgroup v2 (03, 05, 08, 09 on the qemu driver)" npm run --silent test:lessons-v2
suite "end-to-end tests (Chromium, real learner machines)" npm run --silent test:e2e

# The e2e server leaves its learner machines running by design (they outlive restarts);
# they are in a scope of their own, so a host's learners keep theirs.
step "Removing the learner machines the end-to-end tests started"
UNBOXED_SANDBOX_SCOPE=e2e node --import tsx bin/unboxed.ts sandbox rm --all >/dev/null || failed+=("cleanup")

printf '\n'
[ ${#failed[@]} -eq 0 ] || info "failed: ${failed[*]}"
echo "suites: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
