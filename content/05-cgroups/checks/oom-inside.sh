#!/bin/bash
# keeper still runs, and its cgroup counted at least one OOM kill: a process inside it
# went over the limit and was killed, not the container.
assert_container_state "keeper is running" keeper running "docker run -d --name keeper --memory 32m busybox sleep 3600"
pid=$(container_pid keeper)
kills=""
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
  dir=$(cgroup_dir "$pid" memory)
  # v2 counts in memory.events, v1 (kernel 4.13+) in memory.oom_control.
  if [ -f "$dir/memory.events" ]; then file=$dir/memory.events; else file=$dir/memory.oom_control; fi
  kills=$(awk '$1 == "oom_kill" { print $2 }' "$file" 2>/dev/null)
  kills="oom_kill ${kills:-unreadable}"
fi
assert "keeper's cgroup counted an OOM kill" "$([ "${kills#oom_kill }" -ge 1 ] 2>/dev/null && echo true || echo false)" \
  "oom_kill 1 or more" "${kills:-keeper is not running}" \
  "Run the memory eater inside keeper: docker exec keeper tail /dev/zero (keeper needs --memory)"
