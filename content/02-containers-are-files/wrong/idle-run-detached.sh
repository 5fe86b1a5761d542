#!/bin/bash
# docker run -d instead of docker create: idle has a process, a shim and a bundle.
set -eu
docker run -d --name idle busybox sleep 3600
