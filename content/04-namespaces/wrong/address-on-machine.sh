#!/bin/bash
# web runs, but the address went onto the machine's loopback (no nsenter -n).
set -eu
docker run -d --name web nginx
ip addr add 10.123.0.1/32 dev lo
