#!/bin/bash
# runc exec, but into the learner's own runc container hello instead of Docker's web.
set -eu
mkdir -p /root/bundle/rootfs
docker create --name for-export busybox
docker export for-export | tar -C /root/bundle/rootfs -xf -
docker rm for-export
cd /root/bundle
runc spec
jq '.process.args = ["sleep", "3600"] | .process.terminal = false | .hostname = "runc-box"' config.json > config.new
mv config.new config.json
runc run -d hello </dev/null >/dev/null 2>&1
docker run -d --name web busybox sleep 3600
runc exec -d hello sleep 4242 </dev/null >/dev/null 2>&1
