#!/bin/bash
# docker run -d instead of docker create: box was started the moment it was made.
set -eu
docker run -d --name box busybox sleep 3600
