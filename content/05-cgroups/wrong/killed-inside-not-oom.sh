#!/bin/bash
# A process inside keeper died of SIGKILL, but from kill, not from the OOM killer.
set -eu
docker run -d --name keeper --memory 32m busybox sleep 3600
docker exec keeper sh -c 'kill -9 $$' || true
