#!/bin/bash
# ctr tasks exec goes around dockerd but not around containerd: the shim starts and records it.
set -eu
docker run -d --name web busybox sleep 3600
ctr -n moby tasks exec -d --exec-id by-ctr "$(docker inspect -f '{{.Id}}' web)" sleep 4242
