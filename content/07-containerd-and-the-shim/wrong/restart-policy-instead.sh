#!/bin/bash
# A restart policy brings the container back after a dockerd restart, as a new process.
set -eu
docker run -d --restart always --name survivor busybox sleep 3600
sleep 1
systemctl restart docker
