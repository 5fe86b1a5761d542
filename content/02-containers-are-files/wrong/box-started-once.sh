#!/bin/bash
# box was started but never restarted: the bundle and the handle are those of its first run.
set -eu
docker create --name box busybox sleep 3600
docker start box
