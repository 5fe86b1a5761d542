#!/bin/bash
# A writable /tmp, but the root filesystem is still writable too.
set -eu
docker run -d --name readonly --tmpfs /tmp busybox sleep 3600
