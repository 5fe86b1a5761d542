#!/bin/bash
# Pause and unpause freeze and thaw the same process: no stop, no new bundle or namespace.
set -eu
docker create --name box busybox sleep 3600
docker start box
docker pause box
docker unpause box
