#!/bin/bash
# keeper runs, but the memory eater ran in a container of its own.
set -eu
docker run -d --name keeper --memory 32m busybox sleep 3600
docker run --rm --memory 32m busybox tail /dev/zero || true
