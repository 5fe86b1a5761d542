#!/bin/bash
# lowerdir lists the top layer first; here base would hide app.
set -eu
mkdir -p /tmp/ov/base /tmp/ov/app /tmp/ov/upper /tmp/ov/work /tmp/ov/merged
echo 'from base' > /tmp/ov/base/greeting
echo 'from app' > /tmp/ov/app/greeting
mount -t overlay overlay -o lowerdir=/tmp/ov/base:/tmp/ov/app,upperdir=/tmp/ov/upper,workdir=/tmp/ov/work /tmp/ov/merged
