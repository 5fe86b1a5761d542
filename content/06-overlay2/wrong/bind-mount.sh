#!/bin/bash
# A bind mount shows one folder; it stacks nothing.
set -eu
mkdir -p /tmp/ov/base /tmp/ov/app /tmp/ov/upper /tmp/ov/work /tmp/ov/merged
echo 'from app' > /tmp/ov/app/greeting
mount --bind /tmp/ov/app /tmp/ov/merged
