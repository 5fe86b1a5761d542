#!/bin/bash
# An exec is running in box, and its only trace is <exec id>.pid in box's bundle.
assert_container_state "box is running" box running "docker start box"
id=$(container_get box '{{.Id}}')
[ -n "$id" ] || exit
bundle=$(find /run/containerd /run/docker/containerd -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | head -1)
found=""
for exec_id in $(container_get box '{{range .ExecIDs}}{{.}} {{end}}'); do
  pidfile="$bundle/$exec_id.pid"
  if [ -n "$bundle" ] && [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then found=$pidfile; fi
done
assert "a running exec in box has its <exec id>.pid in the bundle" "$([ -n "$found" ] && echo true || echo false)" \
  "<bundle>/<exec id>.pid naming a live process" "${found:-no running exec in box}" \
  "The file exists only while the exec runs: docker exec -d box sleep 3600"
