#!/bin/bash
# docker exec of a shell that puts sleep 4242 in the background and exits: dockerd's exec
# record is gone, but the process was started inside web, by web's own shell.
set -eu
docker run -d --name web busybox sleep 3600
docker exec web sh -c 'sleep 4242 </dev/null >/dev/null 2>&1 &'
