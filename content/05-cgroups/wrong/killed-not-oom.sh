#!/bin/bash
# Exit code 137 from docker kill: a SIGKILL, but not from the OOM killer.
set -eu
docker run -d --name hog --memory 32m busybox sleep 3600
docker kill hog
