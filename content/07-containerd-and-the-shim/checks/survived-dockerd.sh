#!/bin/bash
# survivor runs, and its process is older than the dockerd answering now: it lived
# through a restart of dockerd. (A restart policy would have started a new process.)

assert_container_state "survivor is running" survivor running \
  "Start it with docker run -d --name survivor busybox sleep 3600, before you restart dockerd"
pid=$(container_pid survivor)
dockerd=$(pidof -s dockerd)
container_start=$(process_start "${pid:-0}")
dockerd_start=$(process_start "${dockerd:-0}")
if [ -n "$container_start" ] && [ -n "$dockerd_start" ]; then
  pass=$([ "$container_start" -lt "$dockerd_start" ] && echo true || echo false)
  actual="survivor's process (PID $pid) started at $(ticks_as_seconds "$container_start") of kernel uptime, dockerd (PID $dockerd) at $(ticks_as_seconds "$dockerd_start")"
else
  pass=false
  actual=$([ -z "$container_start" ] && echo "survivor has no running process" || echo "no dockerd process")
fi
assert "survivor's process is older than the running dockerd" "$pass" \
  "survivor's process started before dockerd did" "$actual" \
  "With live-restore on, start survivor first, then systemctl restart docker: the same PID must still run afterwards"
