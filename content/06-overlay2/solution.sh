#!/bin/bash
set -eu
# Two layers on busybox: one writes 5 MiB, the next deletes them.
mkdir -p /tmp/sized
printf 'FROM busybox\nRUN dd if=/dev/zero of=/big bs=1M count=5\nRUN rm /big\n' >/tmp/sized/Dockerfile
docker build -q -t sized /tmp/sized

docker run -d --name edit debian sleep 3600
docker exec edit sh -c 'echo edited >> /etc/debian_version'
docker exec edit rm /etc/issue
echo 'hello from the machine' >"$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' edit)/from-machine.txt"

docker run -d --name store -v data:/data debian sleep 3600
docker exec store sh -c 'echo hello > /data/note; echo hello > /tmp/note'

mkdir -p /tmp/ov/base /tmp/ov/app /tmp/ov/upper /tmp/ov/work /tmp/ov/merged
echo 'from base' > /tmp/ov/base/greeting
echo 'only in base' > /tmp/ov/base/base.txt
echo 'from app' > /tmp/ov/app/greeting
mount -t overlay overlay -o lowerdir=/tmp/ov/app:/tmp/ov/base,upperdir=/tmp/ov/upper,workdir=/tmp/ov/work /tmp/ov/merged
