#!/bin/bash
# Right namespace, wrong interface: the address went onto web's eth0, not its loopback.
set -eu
docker run -d --name web nginx
nsenter -t "$(docker inspect -f '{{.State.Pid}}' web)" -n ip addr add 10.123.0.1/32 dev eth0
