#!/bin/bash
set -eu
docker run -d --name edit debian sleep 3600
docker exec edit sh -c 'echo edited >> /etc/debian_version'
docker exec edit rm /etc/issue

mkdir -p /tmp/ov/base /tmp/ov/app /tmp/ov/upper /tmp/ov/work /tmp/ov/merged
echo 'from base' > /tmp/ov/base/greeting
echo 'only in base' > /tmp/ov/base/base.txt
echo 'from app' > /tmp/ov/app/greeting
mount -t overlay overlay -o lowerdir=/tmp/ov/app:/tmp/ov/base,upperdir=/tmp/ov/upper,workdir=/tmp/ov/work /tmp/ov/merged
