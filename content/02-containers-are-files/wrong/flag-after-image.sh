#!/bin/bash
# The flags come after the image, so they become the command: runc cannot execute "-e",
# and tagged never runs.
set -u
docker run -d --name tagged busybox -e GREETING=hello --restart on-failure:3 sleep 3600
exit 0
