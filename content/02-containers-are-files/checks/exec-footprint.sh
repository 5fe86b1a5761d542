#!/bin/bash
# An exec is running in box, and it left its traces for as long as it runs: containerd's
# <exec id>.pid in box's bundle, naming a live process that shares box's PID namespace,
# and dockerd's <exec id>-stdout/-stderr FIFOs next to box's own init-stdout/-stderr.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

{ read -r status; read -r id; read -r pid; read -r exec_ids; } < <(container_get box \
  '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.State.Pid}}{{"\n"}}{{range .ExecIDs}}{{.}} {{end}}')
assert_equal "box is running" running "${status:-no container named box}" "docker start box"
[ "${status:-}" = running ] || exit
bundle=$(bundle_dir "$id")
running=""
for exec_id in $exec_ids; do
  exec_pid=$(cat "$bundle/$exec_id.pid" 2>/dev/null)
  if [ -n "$exec_pid" ] && [ "$(readlink "/proc/$exec_pid/ns/pid")" = "$(readlink "/proc/$pid/ns/pid")" ]; then running=$exec_id; fi
done
assert "a running exec in box has its <exec id>.pid in the bundle" "$([ -n "$running" ] && echo true || echo false)" \
  "<bundle>/<exec id>.pid naming a live process in box" \
  "$([ -n "$running" ] && echo "$bundle/$running.pid: PID $(cat "$bundle/$running.pid")" || echo "no running exec in box")" \
  "The files exist only while the exec runs: docker exec -d box sleep 3600"
[ -n "$running" ] || exit
fifos=$(find "/run/docker/containerd/$id" -maxdepth 1 -type p -name "$running-*" -printf '%f\n' 2>/dev/null | sed "s/^$running/<exec id>/" | sort | paste -sd ' ')
assert_equal "dockerd made the exec's stdout and stderr FIFOs" "<exec id>-stderr <exec id>-stdout" "${fifos:-none}"
