#!/bin/bash
# box was started, then stopped: its bundle went with the process.
set -eu
docker create --name box busybox sleep 3600
docker start box
docker stop -t 1 box
