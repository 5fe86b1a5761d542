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
# Each suite's output is also kept, so the end of the run can show why a suite failed:
# a CI log is often read from its end only. In the project's cache, not /tmp: files kept
# in a mktemp folder there were gone by the end of a full run.
logs=.cache/test-logs
rm -rf "$logs" && mkdir -p "$logs"
log_of() { echo "$logs/$(echo "$1" | sha256sum | cut -c1-12)"; }
suite() {
  local name=$1
  shift
  step "$name"
  local start=$SECONDS
  if "$@" 2>&1 | tee "$(log_of "$name")"; then
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

# The VM suites run beside the container suites. Under TCG each of their VMs keeps about
# one core busy, so one after another they left this 2-core host's other core idle for
# half an hour. Their output is shown as one block once they end; the qemu escape tests
# come after the suite that makes the shared golden state. Not beside the two suites above:
# one restarts this host's engine, the other fills its memory with 150 machines.
vm_track=$(mktemp -d)
(
  exec >"$vm_track/log" 2>&1
  passed=0
  failed=()
  suite "learner machines (qemu driver: golden state, restore, conformance, isolation; what changed)" npm run --silent test:vm
  suite "the docker driver on a cgroup v2 host (nested in a qemu guest: conformance, limits the learner cannot lift)" npm run --silent test:docker-on-v2
  suite "lessons-tests on cgroup v2 (03, 05, 08, 09 on the qemu driver: untouched and solution.sh)" npm run --silent test:lessons-v2
  suite "escape and abuse suite (docker and qemu drivers)" npm run --silent test:security
  echo "$passed" >"$vm_track/passed"
  printf '%s\n' "${failed[@]}" >"$vm_track/failed"
) &
vm_pid=$!
info "the VM suites run beside the next ones (pid $vm_pid); their output follows theirs"

suite "learner machines on a Docker Swarm (three nodes in network namespaces: conformance, containment, placement, a drained node, a killed node)" \
  bash -c 'npm run --silent test:swarm; status=$?; npx tsx tests/swarm/cluster.ts down >/dev/null; exit $status'
suite "durability (SIGKILL the server while it records checks, restart, retry)" npm run --silent test:durability
suite "lessons-tests (every lesson's checks on real machines)" npm run --silent test:lessons
suite "end-to-end tests (Chromium, real learner machines)" npm run --silent test:e2e

step "Waiting for the VM suites"
wait "$vm_pid"
cat "$vm_track/log"
passed=$((passed + $(cat "$vm_track/passed" 2>/dev/null || echo 0)))
# An empty line is no failure (printf writes one for an empty list).
while read -r name; do [ -z "$name" ] || failed+=("$name"); done <"$vm_track/failed" 2>/dev/null || failed+=("VM suites (ended without results)")
rm -rf "$vm_track"

# The e2e server leaves its learner machines running by design (they outlive restarts);
# they are in a scope of their own, so a host's learners keep theirs.
step "Removing the learner machines the end-to-end tests started"
UNBOXED_SANDBOX_SCOPE=e2e node --import tsx bin/unboxed.ts sandbox rm --all >/dev/null || failed+=("cleanup")

# A failed suite's failure lines (vitest, Playwright, a lesson proof's SURPRISE), else its last lines.
failure_lines='FAIL|AssertionError|Error:|✘|×|failed|SURPRISE'
for name in "${failed[@]}"; do
  step "Why it failed: $name"
  log=$(log_of "$name")
  [ -f "$log" ] || continue
  grep -a -q -E "$failure_lines" "$log" && grep -a -E -A14 "$failure_lines" "$log" | tail -n 120 || tail -n 40 "$log"
done
printf '\n'
[ ${#failed[@]} -eq 0 ] || info "failed: ${failed[*]}"
echo "suites: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
