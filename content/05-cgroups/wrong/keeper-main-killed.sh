#!/bin/bash
# keeper's own command ate the memory: the OOM killer ended the container, not a
# process inside a running one.
set -eu
docker run --name keeper --memory 32m busybox tail /dev/zero || true
