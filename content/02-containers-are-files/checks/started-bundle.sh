#!/bin/bash
# box is running, and containerd holds an OCI bundle (config.json) for it.
assert_container_state "box is running" box running "docker start box"
id=$(container_get box '{{.Id}}')
bundle="no bundle"
for root in /run/containerd/io.containerd.runtime.v2.task/moby /run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby; do
  if [ -n "$id" ] && [ -f "$root/$id/config.json" ]; then bundle="$root/$id"; fi
done
assert "containerd holds box's OCI bundle" "$([ "$bundle" != "no bundle" ] && echo true || echo false)" \
  "a folder with config.json named after box's id under /run" "$bundle" \
  "The bundle exists only while the container runs: start box, then look under /run/containerd"
