#!/bin/bash
# nsenter into the wrong container: the address landed in another network namespace.
set -eu
docker run -d --name web nginx
docker run -d --name other busybox sleep 3600
nsenter -t "$(docker inspect -f '{{.State.Pid}}' other)" -n ip addr add 10.123.0.1/32 dev lo
