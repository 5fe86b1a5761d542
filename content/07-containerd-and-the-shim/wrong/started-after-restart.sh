#!/bin/bash
# live-restore on, but survivor was started after the restart: nothing survived anything.
set -eu
echo '{"live-restore": true}' > /etc/docker/daemon.json
systemctl restart docker
docker run -d --name survivor busybox sleep 3600
