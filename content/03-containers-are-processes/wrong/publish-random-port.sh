#!/bin/bash
# -p 80 publishes site's port 80 on a port the daemon picks, not on 8080.
set -eu
docker run -d --name site -p 80 nginx
