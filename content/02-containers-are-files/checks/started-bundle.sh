#!/bin/bash
# box is running, and containerd holds an OCI bundle (config.json) for it.
assert_container_state "box is running" box running "docker start box"
id=$(container_get box '{{.Id}}')
[ -n "$id" ] || exit
# Bundles live under /run/containerd/… or /run/docker/containerd/… depending on how
# dockerd reaches containerd: look in both rather than assume one.
bundle=$(find /run/containerd /run/docker/containerd -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | while read -r d; do [ -f "$d/config.json" ] && echo "$d"; done | head -1)
assert "containerd holds box's OCI bundle" "$([ -n "$bundle" ] && echo true || echo false)" \
  "a folder named after box's id, with config.json, under /run" "${bundle:-no bundle}" \
  "The bundle exists only while the container runs: start box, then look under /run/containerd"
