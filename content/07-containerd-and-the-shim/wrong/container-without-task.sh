#!/bin/bash
# ctr container create records a container but starts no task (no process).
set -eu
docker save busybox | ctr -n lab images import -
ctr -n lab containers create --snapshotter native docker.io/library/busybox:latest by-hand sleep 3600
