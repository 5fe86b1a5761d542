#!/bin/bash
# runc made the namespaces (a container with the hostname lab, no shim in between): the
# exercise is to make them with unshare.
set -eu
mkdir -p /tmp/bundle/rootfs
cd /tmp/bundle
docker export "$(docker create busybox)" | tar -C rootfs -x
runc spec
jq '.process.terminal = false | .process.args = ["sh", "-c", "sleep 3600 & wait"] | .hostname = "lab"' config.json >config.new
mv config.new config.json
runc run -d lab </dev/null >/dev/null 2>&1
