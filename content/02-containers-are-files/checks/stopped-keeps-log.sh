#!/bin/bash
# note ran, was stopped, and what stays is its folder and log, not its bundle.
assert_container_state "note has run and stopped" note exited \
  "docker run -d --name note busybox sh -c 'echo written to the log; sleep 3600', then docker stop note"
id=$(container_get note '{{.Id}}')
[ -n "$id" ] || exit
log=$(container_get note '{{.LogPath}}')
if [ -n "$log" ] && [ -s "$log" ]; then
  assert "note's log file stays after the stop" true "a non-empty <id>-json.log" "$log"
else
  assert "note's log file stays after the stop" false "a non-empty <id>-json.log" "${log:-no log file}" \
    "The json-file log appears when the container starts and prints something"
fi
bundle=$(find /run/containerd /run/docker/containerd -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | head -1)
assert "note's bundle is gone" "$([ -z "$bundle" ] && echo true || echo false)" "no bundle for note under /run" \
  "${bundle:-no bundle}" "The bundle lives only while the container runs"
