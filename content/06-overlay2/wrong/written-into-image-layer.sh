#!/bin/bash
# Written into the image's own layer: edit sees the file, and so does every other
# container of debian.
set -eu
docker run -d --name edit debian sleep 3600
lowers=$(docker inspect -f '{{.GraphDriver.Data.LowerDir}}' edit)
echo 'hello from the machine' >"${lowers##*:}/from-machine.txt"
