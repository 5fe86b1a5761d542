#!/bin/bash
# The process is inside web, but dockerd started it (and recorded the exec).
set -eu
docker run -d --name web busybox sleep 3600
docker exec -d web sleep 4242
