#!/bin/bash
# docker run creates and starts from-curl in one go, with the CLI: running, but never
# created or started through the API.
set -eu
docker run -d --name from-curl busybox sleep 3600
