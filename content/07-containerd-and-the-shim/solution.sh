#!/bin/bash
set -eu
# live-restore, applied by a restart of dockerd.
mkdir -p /etc/docker
echo '{"live-restore": true}' > /etc/docker/daemon.json
systemctl restart docker
# A container that outlives a restart of dockerd, then of containerd.
docker run -d --name survivor busybox sleep 3600
sleep 1
systemctl restart docker
sleep 1
systemctl restart containerd
# A container that dockerd never hears of.
docker save busybox | ctr -n lab images import -
ctr -n lab run -d --snapshotter native docker.io/library/busybox:latest by-hand sleep 3600
# A task of ours with survivor's id: its shim names the same -id, in namespace lab.
ctr -n lab run -d --snapshotter native docker.io/library/busybox:latest "$(docker inspect -f '{{.Id}}' survivor)" sleep 3600
