#!/bin/bash
# runc spec run in the wrong folder: config.json lands inside the root filesystem.
set -eu
mkdir -p /root/bundle/rootfs
docker create --name for-export busybox
docker export for-export | tar -C /root/bundle/rootfs -xf -
docker rm for-export
cd /root/bundle/rootfs
runc spec
