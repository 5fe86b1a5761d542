#!/bin/bash
# survivor outlived dockerd, but containerd was never restarted.
set -eu
echo '{"live-restore": true}' > /etc/docker/daemon.json
systemctl restart docker
docker run -d --name survivor busybox sleep 3600
sleep 1
systemctl restart docker
