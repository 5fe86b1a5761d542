#!/bin/bash
# The wrong "unconfined": seccomp=unconfined removes the seccomp filter and leaves the paths masked.
set -eu
docker run -d --name unmasked --security-opt seccomp=unconfined busybox sleep 3600
