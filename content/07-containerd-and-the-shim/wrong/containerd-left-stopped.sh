#!/bin/bash
# containerd stopped while survivor runs, and never started again: no containerd knows the task.
set -eu
echo '{"live-restore": true}' > /etc/docker/daemon.json
systemctl restart docker
docker run -d --name survivor busybox sleep 3600
sleep 1
systemctl restart docker
systemctl stop containerd
