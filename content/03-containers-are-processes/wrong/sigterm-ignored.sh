#!/bin/bash
# A plain kill is SIGTERM, which sleep as PID 1 of its namespace never receives.
set -eu
docker run -d --name victim busybox sleep 3600
kill "$(docker inspect -f '{{.State.Pid}}' victim)"
sleep 1
