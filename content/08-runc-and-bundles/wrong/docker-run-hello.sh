#!/bin/bash
# The same process and hostname, but made by Docker: runc's default root has no hello.
set -eu
docker run -d --name hello --hostname runc-box busybox sleep 3600
