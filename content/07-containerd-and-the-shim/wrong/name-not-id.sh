#!/bin/bash
# The task is named survivor: Docker's name, which containerd never sees (its id is the long one).
set -eu
docker run -d --name survivor busybox sleep 3600
docker save busybox | ctr -n lab images import -
ctr -n lab run -d --snapshotter native docker.io/library/busybox:latest survivor sleep 3600
