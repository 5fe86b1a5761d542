#!/bin/bash
# The args were edited, the hostname left as runc spec wrote it.
set -eu
mkdir -p /root/bundle/rootfs
docker create --name for-export busybox
docker export for-export | tar -C /root/bundle/rootfs -xf -
docker rm for-export
cd /root/bundle
runc spec
jq '.process.args = ["sleep", "3600"] | .process.terminal = false' config.json > config.new
mv config.new config.json
runc run -d hello </dev/null >/dev/null 2>&1
