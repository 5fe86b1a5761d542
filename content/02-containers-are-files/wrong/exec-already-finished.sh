#!/bin/bash
# The exec ran and ended before anyone looked: its .pid file went with it.
set -eu
docker run -d --name box busybox sleep 3600
docker exec box sleep 1
