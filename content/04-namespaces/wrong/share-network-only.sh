#!/bin/bash
# sidecar joins web's network namespace but keeps a PID namespace of its own.
set -eu
docker run -d --name web nginx
docker run -d --name sidecar --network container:web busybox sleep 3600
