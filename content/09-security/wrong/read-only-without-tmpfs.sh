#!/bin/bash
# A read-only root with no writable /tmp: most programs need somewhere to write.
set -eu
docker run -d --name readonly --read-only busybox sleep 3600
