#!/bin/bash
# sleep 7777 in a container of its own instead of inside sleeper.
set -eu
docker run -d --name sleeper busybox sleep 3600
docker run -d busybox sleep 7777
