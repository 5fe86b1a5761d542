#!/bin/bash
# containerd was restarted, but survivor was restarted after it: a new process that survived nothing.
set -eu
echo '{"live-restore": true}' > /etc/docker/daemon.json
systemctl restart docker
docker run -d --name survivor busybox sleep 3600
systemctl restart containerd
# dockerd reconnects to containerd with a back-off: wait until it answers again.
for _ in $(seq 30); do docker restart -t 0 survivor && exit 0; sleep 1; done
exit 1
