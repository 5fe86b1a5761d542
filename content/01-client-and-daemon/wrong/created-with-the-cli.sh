#!/bin/bash
# The right container, made by the docker CLI instead of a request of one's own.
set -eu
docker create --name from-curl busybox sleep 3600
