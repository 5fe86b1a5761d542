#!/bin/bash
# --network host --pid host: sidecar shares the machine's namespaces, not web's.
set -eu
docker run -d --name web nginx
docker run -d --name sidecar --network host --pid host busybox sleep 3600
