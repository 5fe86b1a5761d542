#!/bin/bash
# A non-root user has no effective capabilities, but the bounding set is untouched.
set -eu
docker run -d --name bare --user 65534 busybox sleep 3600
