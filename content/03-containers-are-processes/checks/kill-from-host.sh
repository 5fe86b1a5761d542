#!/bin/bash
# victim was killed by SIGKILL from outside Docker: it died (exit 137) without any
# kill request reaching dockerd.
assert_container_state "victim has exited" victim exited \
  "docker run -d --name victim busybox sleep 3600, then kill its host PID"
id=$(container_get victim '{{.Id}}')
[ -n "$id" ] || exit
assert_equal "victim died of SIGKILL (exit code 137)" 137 "$(container_get victim '{{.State.ExitCode}}')" \
  "kill -KILL <PID>: sleep as the container's PID 1 ignores a plain kill (SIGTERM)"
requests=$(docker events --since 0 --until "$(date +%s.%N)" --filter "container=$id" --filter event=kill --filter event=stop \
  --format '{{.Action}}' 2>/dev/null | sort -u | tr '\n' ' ')
assert "no docker kill or stop reached dockerd for victim" "$([ -z "$requests" ] && echo true || echo false)" \
  "no kill or stop events" "${requests:-none}" \
  "Stop it with kill from the host, not with docker kill or docker stop"
