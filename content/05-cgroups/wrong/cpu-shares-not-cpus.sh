#!/bin/bash
# --cpu-shares sets a relative weight, which only matters when CPUs are contended; it is no cap.
set -eu
docker run -d --name limited --memory 64m --cpu-shares 512 --pids-limit 50 busybox sleep 3600
