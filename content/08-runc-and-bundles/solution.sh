#!/bin/bash
set -eu
# A bundle: busybox's files, exported, and a spec from runc.
mkdir -p /root/bundle/rootfs
docker create --name for-export busybox
docker export for-export | tar -C /root/bundle/rootfs -xf -
docker rm for-export
cd /root/bundle
runc spec
jq '.process.args = ["sleep", "3600"] | .process.terminal = false | .hostname = "runc-box"' config.json > config.new
mv config.new config.json
# Detached, the container inherits runc's stdio: give it none, so this script can end.
runc run -d hello </dev/null >/dev/null 2>&1
runc create early </dev/null >/dev/null 2>&1
# A process in a Docker container, started by runc on Docker's state root.
docker run -d --name web busybox sleep 3600
shim=$(ps -o ppid= -p "$(docker inspect -f '{{.State.Pid}}' web)" | tr -d ' ')
root=$(jq -r .root "/proc/$shim/cwd/options.json")/moby
runc --root "$root" exec -d "$(docker inspect -f '{{.Id}}' web)" sleep 4242 </dev/null >/dev/null 2>&1
