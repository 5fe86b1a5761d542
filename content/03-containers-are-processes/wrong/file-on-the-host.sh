#!/bin/bash
# The file lands in the host's /tmp, not in the container.
set -eu
docker run -d --name sleeper busybox sleep 3600
echo hello > /tmp/hello-from-host
