#!/bin/bash
# survivor's process is older than the running containerd, its shim is still its parent,
# and containerd found the task again through that shim.
started_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
parent_of() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $2}'; }
seconds() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f s", t / hz }'; }

assert_container_state "survivor is running" survivor running \
  "Start it with docker run -d --name survivor busybox sleep 3600, then restart containerd"
id=$(container_get survivor '{{.Id}}')
pid=$(container_pid survivor)
containerd=$(pidof -s containerd)
container_start=$(started_ticks "${pid:-0}")
containerd_start=$(started_ticks "${containerd:-0}")
if [ -n "$container_start" ] && [ -n "$containerd_start" ]; then
  pass=$([ "$container_start" -lt "$containerd_start" ] && echo true || echo false)
  actual="survivor's process started at $(seconds "$container_start") of kernel uptime, containerd at $(seconds "$containerd_start")"
else
  pass=false
  actual=$([ -z "$container_start" ] && echo "survivor has no running process" || echo "no containerd process")
fi
assert "survivor's process is older than the running containerd" "$pass" \
  "survivor's process started before containerd (PID ${containerd:-none}) did" "$actual" \
  "systemctl restart containerd while survivor runs"

shim=$(parent_of "${pid:-0}")
shim_cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${shim:-0}/cmdline")
assert_match "survivor's parent is still its shim" "containerd-shim-runc-v2 .*-id ${id:-none}" "${shim_cmd:-no parent process}" \
  "The shim is the parent of the container's process; containerd is not in the chain"

# The shim names the containerd it reports to and the namespace; ask that one.
address=$(sed -n 's/.*-address \([^ ]*\).*/\1/p' <<<"$shim_cmd")
namespace=$(sed -n 's/.*-namespace \([^ ]*\).*/\1/p' <<<"$shim_cmd")
status=$(ctr --address "${address:-/run/containerd/containerd.sock}" -n "${namespace:-moby}" tasks ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')
assert_equal "the restarted containerd knows the task again" RUNNING "${status:-not listed by ctr -n moby tasks ls}" \
  "containerd reconnects to each shim when it starts; ctr -n moby tasks ls shows it"
