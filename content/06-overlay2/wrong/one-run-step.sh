#!/bin/bash
# Written and deleted in one RUN: one layer, and no 5 MiB in it to find.
set -eu
mkdir -p /tmp/sized
printf 'FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=5 && rm /big\n' >/tmp/sized/Dockerfile
docker build -q -t sized /tmp/sized
