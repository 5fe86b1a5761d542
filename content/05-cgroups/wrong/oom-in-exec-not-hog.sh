#!/bin/bash
# The memory eater ran through docker exec: the kernel killed it, but hog itself, its
# main process, still runs.
set -eu
docker run -d --name hog --memory 32m busybox sleep 3600
docker exec hog tail /dev/zero || true
