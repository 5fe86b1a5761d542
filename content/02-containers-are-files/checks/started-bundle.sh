#!/bin/bash
# Passes when box is running and containerd holds an OCI bundle (config.json) for it.
set -u
if ! id=$(docker inspect --format '{{.Id}}' box 2>/dev/null); then
  echo "expected a container named box, found none"
  exit 1
fi
if [ "$(docker inspect --format '{{.State.Running}}' box)" != true ]; then
  echo "expected box to be running, found state $(docker inspect --format '{{.State.Status}}' box)"
  exit 1
fi
for root in /run/containerd/io.containerd.runtime.v2.task/moby /run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby; do
  if [ -f "$root/$id/config.json" ]; then
    echo "box runs from the bundle $root/$id"
    exit 0
  fi
done
echo "expected an OCI bundle with config.json for $id under /run, found none"
exit 1
