#!/bin/bash
# The right command in the wrong image: debian's sleep, not busybox's.
set -eu
docker run -d --name sleeper debian sleep 3600
