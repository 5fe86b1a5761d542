#!/bin/bash
# The right outcome, through the daemon: docker kill sends the SIGKILL for you.
set -eu
docker run -d --name victim busybox sleep 3600
docker kill victim
