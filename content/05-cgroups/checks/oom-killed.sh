#!/bin/bash
# hog had a memory limit and the kernel's OOM killer ended it.
assert_container "a container named hog exists" hog "docker run --name hog with a --memory limit and a command that eats memory"
limit=$(container_get hog '{{.HostConfig.Memory}}')
assert "hog had a memory limit" "$([ "${limit:-0}" -gt 0 ] 2>/dev/null && echo true || echo false)" \
  "HostConfig.Memory above 0" "${limit:-no container}" "Give it --memory 32m"
assert_equal "hog exited with 137 (128 + SIGKILL)" 137 "$(container_get hog '{{.State.ExitCode}}')" \
  "Its command must keep allocating memory until the kernel kills it: tail /dev/zero never finds a line end"
# dockerd sets OOMKilled only when containerd's OOM notice comes before the exit. On a busy
# machine it can come after (seen in CI on cgroup v2): dockerd then still logs the oom event,
# and a VM's kernel log names the container's cgroup in its oom-kill line.
oom=$(container_get hog '{{.State.OOMKilled}}')
found="State.OOMKilled ${oom:-unknown (no container)}"
if [ "$oom" = false ]; then
  id=$(container_get hog '{{.Id}}')
  if [ -n "$(docker events --since "$(container_get hog '{{.Created}}')" --until "$(date +%s)" --filter "container=$id" --filter event=oom --format x 2>/dev/null)" ]; then
    oom=true found="an oom event for hog (State.OOMKilled false: dockerd heard of it after the exit)"
  elif dmesg 2>/dev/null | grep -q "oom-kill:.*[/-]$id"; then
    oom=true found="the kernel's oom-kill line for hog's cgroup (State.OOMKilled false: dockerd heard of it after the exit)"
  fi
fi
assert "Docker recorded the OOM kill" "$([ "$oom" = true ] && echo true || echo false)" "State.OOMKilled true, or an oom event for hog" "$found" \
  "Exit code 137 only says SIGKILL; docker kill gives it too. The memory limit has to do the killing"
