#!/bin/bash
# bare runs with no capabilities at all: nothing effective, and nothing left in the
# bounding set that a setuid program could regain.

assert_container_state "bare is running" bare running "docker run -d --name bare … busybox sleep 3600"
pid=$(container_pid bare)
eff=$(proc_status "${pid:-0}" CapEff)
bnd=$(proc_status "${pid:-0}" CapBnd)
assert_equal "bare's effective capabilities are empty" 0000000000000000 "${eff:-no process}" \
  "--cap-drop ALL removes every capability from the container's process"
assert_equal "bare's bounding set is empty" 0000000000000000 "${bnd:-no process}" \
  "A non-root user has no effective capabilities, but keeps the bounding set: drop the capabilities themselves with --cap-drop ALL"
