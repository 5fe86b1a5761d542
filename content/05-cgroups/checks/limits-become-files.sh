#!/bin/bash
# limited runs with its three limits written into its cgroup, read back from the kernel
# (cgroup_limit reads memory.limit_in_bytes/cpu.cfs_quota_us/pids.max on v1 and
# memory.max/cpu.max/pids.max on v2).
assert_container_state "limited is running" limited running "docker run -d --name limited … busybox sleep 3600"
assert_cgroup_limit "its cgroup holds a 64 MiB memory limit" limited memory 67108864 "--memory 64m"
assert_cgroup_limit "its cgroup holds a quota of half a CPU" limited cpu "50000 100000" \
  "--cpus 0.5 becomes a CFS quota of 50000 µs per 100000 µs period (--cpu-shares is a weight, not a limit)"
assert_cgroup_limit "its cgroup allows at most 50 processes" limited pids 50 "--pids-limit 50"
