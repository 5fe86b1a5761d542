#!/bin/bash
# The 12 characters docker ps shows: Docker accepts them, containerd knows only the full id.
set -eu
docker run -d --name survivor busybox sleep 3600
docker save busybox | ctr -n lab images import -
ctr -n lab run -d --snapshotter native docker.io/library/busybox:latest "$(docker ps -q --filter name=survivor)" sleep 3600
