#!/bin/bash
# --memory-reservation is a soft limit (memory.soft_limit_in_bytes / memory.low), not the hard one.
set -eu
docker run -d --name limited --memory-reservation 64m --cpus 0.5 --pids-limit 50 busybox sleep 3600
