#!/bin/bash
# by-hand made with docker: it lives in containerd's moby namespace, not lab.
set -eu
docker run -d --name by-hand busybox sleep 3600
