#!/bin/bash
# idle was created and never started: the daemon records no start, and nothing of a
# running container exists for it: no process or shim in the kernel's process table, no
# bundle, no log, no network namespace.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
{ read -r status; read -r id; read -r key; } < <(container_get idle '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.NetworkSettings.SandboxKey}}')
assert_equal "idle is created, never started" created "${status:-no container named idle}" \
  "docker create --name idle busybox sleep 3600, and leave it so (docker rm -f idle to begin again)"
[ -n "${id:-}" ] || exit
shim=$(pgrep -f "containerd-shim-runc-v2 .*-id $id( |$)")
assert "no shim runs for idle" "$([ -z "$shim" ] && echo true || echo false)" "no containerd-shim-runc-v2 -id ${id:0:12}…" \
  "$([ -n "$shim" ] && echo "shim PID $shim" || echo "no shim")"
found=$(find /run/containerd /run/docker/containerd -mindepth 1 -maxdepth 6 -name "$id" 2>/dev/null | head -1)
assert "idle has nothing under /run" "$([ -z "$found" ] && echo true || echo false)" "no folder named after idle's id" "${found:-nothing}"
assert_no_file "idle has no log file" "/var/lib/docker/containers/$id/$id-json.log"
assert "idle has no network namespace" "$([ -z "$key" ] && echo true || echo false)" "no SandboxKey" "${key:-no SandboxKey}"
