#!/bin/bash
# docker save writes the image (manifest and layer tarballs), not a root filesystem.
set -eu
mkdir -p /root/bundle/rootfs
docker save busybox | tar -C /root/bundle/rootfs -xf -
cd /root/bundle
runc spec
