#!/bin/bash
# A process sits in a memory cgroup named lab at the top of the tree, which the learner
# made, and the kernel holds a 50 MiB limit for that cgroup.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  made=/sys/fs/cgroup/lab line='^0::/lab$'
else
  made=/sys/fs/cgroup/memory/lab line='^[0-9]+:([^:]*,)?memory(,[^:]*)?:/lab$'
fi
# One grep reads every process's /proc/PID/cgroup.
file=$(grep -lsE "$line" /proc/[0-9]*/cgroup | head -1)
found=${file#/proc/}; found=${found%/cgroup}
if [ -z "$found" ]; then
  state="no process in $made"
  [ -d "$made" ] && state="$made exists but holds no process"
  assert "a process runs in the cgroup lab" false "a PID in lab's cgroup.procs" "$state" \
    "Start something long-lived (sleep 3600 &) and write its PID (\$!) into lab's cgroup.procs"
  exit
fi
assert "a process runs in the cgroup lab" true "a PID in lab's cgroup.procs" \
  "PID $found ($(cat "/proc/$found/comm" 2>/dev/null)) in $(cgroup_dir "$found" memory)"
assert_equal "the kernel holds a 50 MiB memory limit for lab" 52428800 "$(cgroup_limit "$found" memory 2>/dev/null)" \
  "echo 50M > memory.limit_in_bytes (cgroup v1) or memory.max (v2) in lab's folder"
