#!/bin/bash
# docker create makes sleeper but starts nothing: no process, no shim.
set -eu
docker create --name sleeper busybox sleep 3600
