#!/bin/bash
# idle was created, then started and stopped: it ran, and its log says so.
set -eu
docker create --name idle busybox sleep 3600
docker start idle
docker stop -t 1 idle
