#!/bin/bash
# mkdir fails, but because nothing at all can be written (EROFS), not because of seccomp.
set -eu
docker run -d --name no-mkdir --read-only busybox sleep 3600
