#!/bin/bash
# no-chown has Docker's default capabilities minus CAP_CHOWN, and nothing else changed.

# Docker 20.10's default set (14 capabilities) is 0xa80425fb; CAP_CHOWN is bit 0.
expected=00000000a80425fa
assert_container_state "no-chown is running" no-chown running "docker run -d --name no-chown … busybox sleep 3600"
pid=$(container_pid no-chown)
eff=$(proc_status "${pid:-0}" CapEff)
assert "no-chown has the default capabilities except CAP_CHOWN" "$([ "$eff" = "$expected" ] && echo true || echo false)" \
  "CapEff $expected ($(caps_decode "$expected"))" \
  "$([ -n "$eff" ] && echo "CapEff $eff ($(caps_decode "$eff"))" || echo "no process")" \
  "--cap-drop removes the capabilities you name from the default set: name only the one that lets root change a file's owner"
