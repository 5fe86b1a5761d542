#!/bin/bash
# note is created but never runs: no log, no stop.
set -eu
docker create --name note busybox sh -c 'echo written to the log; sleep 3600'
