#!/bin/bash
# docker pause freezes note instead of stopping it: the process, its bundle and its
# namespace all stay.
set -eu
docker run -d --name note busybox sh -c 'echo written to the log; sleep 3600'
docker pause note
