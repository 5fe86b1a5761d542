#!/bin/bash
# gone was stopped, not removed: the daemon keeps its folder and layer.
set -eu
docker run -d --name gone busybox sleep 3600
docker stop -t 1 gone
