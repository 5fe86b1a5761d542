#!/bin/bash
# The method right, on another container.
set -eu
touch /tmp/before
docker create --name other busybox >/dev/null
find /var/lib/docker /run -newer /tmp/before >/tmp/changed.txt 2>/dev/null || true
