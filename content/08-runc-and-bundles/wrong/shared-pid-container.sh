#!/bin/bash
# sleep 4242 in web's PID namespace, but as another container's process (its own cgroup,
# mounts and network).
set -eu
docker run -d --name web busybox sleep 3600
docker run -d --name beside-web --pid container:web busybox sleep 4242
