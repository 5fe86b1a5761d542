#!/bin/bash
# The second RUN empties /big instead of deleting it: the top layer holds an empty file,
# no whiteout.
set -eu
mkdir -p /tmp/sized
printf 'FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=5\nRUN : > /big\n' >/tmp/sized/Dockerfile
docker build -q -t sized /tmp/sized
