#!/bin/bash
# note ran, was stopped, and what stays is its folder and log; its bundle is gone, and the
# kernel no longer mounts the network namespace handle the daemon last gave it.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
{ read -r status; read -r id; read -r log; read -r key; } < <(container_get note \
  '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.LogPath}}{{"\n"}}{{.NetworkSettings.SandboxKey}}')
assert_equal "note has run and stopped" exited "${status:-no container named note}" \
  "docker run -d --name note busybox sh -c 'echo written to the log; sleep 3600', then docker stop note"
[ -n "${id:-}" ] || exit
if [ -n "$log" ] && [ -s "$log" ]; then
  assert "note's log file stays after the stop" true "a non-empty <id>-json.log" "$log"
else
  assert "note's log file stays after the stop" false "a non-empty <id>-json.log" "${log:-no log file}" \
    "The json-file log appears when the container starts and prints something"
fi
bundle=$(find /run/containerd /run/docker/containerd -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | head -1)
assert "note's bundle is gone" "$([ -z "$bundle" ] && echo true || echo false)" "no bundle for note under /run" \
  "${bundle:-no bundle}" "The bundle lives only while the container runs"
# docker inspect keeps the last SandboxKey after the stop; the kernel must not mount it.
mounted=$([ -n "$key" ] && awk -v mp="$(readlink -f "$key")" '$5 == mp { print "mounted" }' /proc/self/mountinfo)
assert "note's network namespace handle is unmounted" "$([ -n "$key" ] && [ -z "$mounted" ] && echo true || echo false)" \
  "${key:-a handle} not mounted" "${key:-note never had one}${mounted:+ is still mounted}"
