#!/bin/bash
set -eu
docker create --name box busybox sleep 3600
docker start box
docker run -d --name note busybox sh -c 'echo written to the log; sleep 3600'
docker stop -t 1 note
docker exec -d box sleep 3600
docker create --name gone busybox
docker rm gone
