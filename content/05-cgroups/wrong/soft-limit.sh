#!/bin/bash
# A process is in lab, but 50M went into the soft limit (v1 memory.soft_limit_in_bytes,
# v2 memory.low), which the kernel only weighs under memory pressure.
set -eu
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
  lab=/sys/fs/cgroup/lab soft_file=memory.low
else
  lab=/sys/fs/cgroup/memory/lab soft_file=memory.soft_limit_in_bytes
fi
mkdir -p "$lab"
echo 50M > "$lab/$soft_file"
nohup sleep 3600 </dev/null >/dev/null 2>&1 &
echo $! > "$lab/cgroup.procs"
