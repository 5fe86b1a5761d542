#!/bin/bash
# docker run --tmpfs made the mount namespace and the mount: a container's, not one of yours.
set -eu
docker run -d --name scratch --tmpfs /mnt busybox sleep 3600
