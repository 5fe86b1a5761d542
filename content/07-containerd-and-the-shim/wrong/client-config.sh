#!/bin/bash
# live-restore written into the docker client's config file, which dockerd never reads.
set -eu
mkdir -p /root/.docker
echo '{"live-restore": true}' > /root/.docker/config.json
systemctl restart docker
