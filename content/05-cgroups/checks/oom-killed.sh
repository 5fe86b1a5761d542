#!/bin/bash
# hog had a memory limit and the kernel's OOM killer ended it.
assert_container "a container named hog exists" hog "docker run --name hog with a --memory limit and a command that eats memory"
limit=$(container_get hog '{{.HostConfig.Memory}}')
assert "hog had a memory limit" "$([ "${limit:-0}" -gt 0 ] 2>/dev/null && echo true || echo false)" \
  "HostConfig.Memory above 0" "${limit:-no container}" "Give it --memory 32m"
assert_equal "hog exited with 137 (128 + SIGKILL)" 137 "$(container_get hog '{{.State.ExitCode}}')" \
  "Its command must keep allocating memory until the kernel kills it: tail /dev/zero never finds a line end"
assert_equal "Docker recorded the OOM kill" true "$(container_get hog '{{.State.OOMKilled}}')" \
  "Exit code 137 only says SIGKILL; docker kill gives it too. The memory limit has to do the killing"
