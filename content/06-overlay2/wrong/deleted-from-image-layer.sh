#!/bin/bash
# Deleted from the image's layer on the machine: no whiteout, and the image is damaged.
set -eu
docker run -d --name edit debian sleep 3600
lowers=$(docker inspect -f '{{.GraphDriver.Data.LowerDir}}' edit)
rm "${lowers##*:}/etc/issue"
