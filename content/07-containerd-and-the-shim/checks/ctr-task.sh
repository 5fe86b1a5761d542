#!/bin/bash
# A task by-hand runs in containerd's namespace lab, started without dockerd.

read -r pid status <<<"$(ctr_task lab by-hand)"
missing=$(pidof -q containerd && echo "no task by-hand in namespace lab" || echo "containerd is not running: systemctl start containerd")
assert_equal "containerd runs a task by-hand in namespace lab" RUNNING "${status:-$missing}" \
  "Import busybox into namespace lab first (docker save … | ctr -n lab images import -), then ctr -n lab run -d with --snapshotter native"
cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${pid:-0}/cmdline")
cmd=${cmd% }
assert_match "by-hand's process runs sleep" '^sleep( |$)' "${cmd:-no process}" \
  "Give ctr run the command after the container id: … by-hand sleep 3600"
docker_id=$(container_get by-hand '{{.Id}}')
assert "dockerd knows nothing of by-hand" "$([ -z "$docker_id" ] && echo true || echo false)" \
  "no Docker container named by-hand" "${docker_id:+Docker container by-hand (${docker_id:0:12})}${docker_id:-no Docker container named by-hand}" \
  "Start it with ctr, not docker (remove the Docker one with docker rm -f by-hand): Docker's containers live in containerd's namespace moby"
