#!/bin/bash
# lab has its limit, but the PID written into it was a shell that exited right after:
# the cgroup is empty.
set -eu
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
  lab=/sys/fs/cgroup/lab limit_file=memory.max
else
  lab=/sys/fs/cgroup/memory/lab limit_file=memory.limit_in_bytes
fi
mkdir -p "$lab"
echo 50M > "$lab/$limit_file"
bash -c "echo \$\$ > $lab/cgroup.procs"
