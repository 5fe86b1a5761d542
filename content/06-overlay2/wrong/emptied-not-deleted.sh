#!/bin/bash
# Emptying a file copies it up as an empty file; only deleting makes a whiteout.
set -eu
docker run -d --name edit debian sleep 3600
docker exec edit sh -c ': > /etc/issue'
