#!/bin/bash
# box is created, but a different container is the one started.
set -eu
docker create --name box busybox sleep 3600
docker run -d --name other busybox sleep 3600
