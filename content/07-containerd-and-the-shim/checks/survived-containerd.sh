#!/bin/bash
# survivor's process is older than the running containerd, its shim is still its parent,
# and containerd found the task again through that shim.

assert_container_state "survivor is running" survivor running \
  "Start it with docker run -d --name survivor busybox sleep 3600, then restart containerd"
id=$(container_get survivor '{{.Id}}')
pid=$(container_pid survivor)
containerd=$(pidof -s containerd)
container_start=$(process_start "${pid:-0}")
containerd_start=$(process_start "${containerd:-0}")
if [ -n "$container_start" ] && [ -n "$containerd_start" ]; then
  pass=$([ "$container_start" -lt "$containerd_start" ] && echo true || echo false)
  actual="survivor's process started at $(ticks_as_seconds "$container_start") of kernel uptime, containerd at $(ticks_as_seconds "$containerd_start")"
else
  pass=false
  actual=$([ -z "$container_start" ] && echo "survivor has no running process" || echo "no containerd process")
fi
hint=$([ -z "$containerd" ] && echo "containerd is stopped: systemctl start containerd" || echo "systemctl restart containerd while survivor runs")
assert "survivor's process is older than the running containerd" "$pass" \
  "survivor's process started before containerd (PID ${containerd:-none}) did" "$actual" "$hint"

shim=$(proc_status "${pid:-0}" PPid)
shim_cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${shim:-0}/cmdline")
shim_cmd=${shim_cmd% }
assert_match "survivor's parent is still its shim" "containerd-shim-runc-v2 .*-id ${id:-none}" "${shim_cmd:-no parent process}" \
  "The shim is the parent of the container's process; containerd is not in the chain"

# The shim names the containerd it reports to and the namespace; ask that one.
address=$(sed -n 's/.*-address \([^ ]*\).*/\1/p' <<<"$shim_cmd")
namespace=$(sed -n 's/.*-namespace \([^ ]*\).*/\1/p' <<<"$shim_cmd")
# ctr waits 10 s for a containerd that is not there: ask only one that runs.
status=""
[ -n "$containerd" ] && status=$(ctr --connect-timeout 2s --address "${address:-/run/containerd/containerd.sock}" -n "${namespace:-moby}" tasks ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')
assert_equal "the restarted containerd knows the task again" RUNNING "${status:-not listed by ctr -n moby tasks ls}" \
  "containerd reconnects to each shim when it starts: systemctl start containerd, then ctr -n moby tasks ls shows it"
