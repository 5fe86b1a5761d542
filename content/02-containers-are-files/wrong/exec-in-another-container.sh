#!/bin/bash
# The exec runs in a second container instead of box.
set -eu
docker create --name box busybox sleep 3600
docker start box
docker run -d --name other busybox sleep 3600
docker exec -d other sleep 3600
