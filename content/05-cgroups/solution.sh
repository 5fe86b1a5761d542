#!/bin/bash
set -eu
docker run -d --name limited --memory 64m --cpus 0.5 --pids-limit 50 busybox sleep 3600
# tail keeps its last line in memory, and /dev/zero never ends one: it grows until killed.
docker run --name hog --memory 32m busybox tail /dev/zero || true
docker run -d --name keeper --memory 32m busybox sleep 3600
docker exec keeper tail /dev/zero || true

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  # cgroup v2: one tree; the root must hand the memory controller down.
  grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
  lab=/sys/fs/cgroup/lab limit_file=memory.max
else
  lab=/sys/fs/cgroup/memory/lab limit_file=memory.limit_in_bytes
fi
mkdir -p "$lab"
echo 50M > "$lab/$limit_file"
# nohup, not setsid: typed in a terminal, setsid forks (a job leads its own group) and $!
# would be the parent that exits at once.
nohup sleep 3600 </dev/null >/dev/null 2>&1 &
echo $! > "$lab/cgroup.procs"
