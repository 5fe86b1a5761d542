#!/bin/bash
set -eu
docker create --name box busybox sleep 3600
docker create --name idle busybox sleep 3600
docker run -d --name tagged -e GREETING=hello --restart on-failure:3 busybox sleep 3600
docker start box
docker restart -t 1 box
docker run -d --name note busybox sh -c 'echo written to the log; sleep 3600'
docker stop -t 1 note
docker exec -d box sleep 3600
docker create --name gone busybox
docker rm gone
touch /tmp/before
docker create --name probe busybox
find /var/lib/docker /run -newer /tmp/before >/tmp/changed.txt 2>/dev/null || true
