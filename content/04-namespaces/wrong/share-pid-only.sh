#!/bin/bash
# sidecar joins web's PID namespace but keeps a network namespace of its own.
set -eu
docker run -d --name web nginx
docker run -d --name sidecar --pid container:web busybox sleep 3600
