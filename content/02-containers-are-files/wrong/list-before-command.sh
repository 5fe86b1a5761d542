#!/bin/bash
# The list is made before the command it should show.
set -eu
touch /tmp/before
find /var/lib/docker /run -newer /tmp/before >/tmp/changed.txt 2>/dev/null || true
docker create --name probe busybox >/dev/null
