#!/bin/bash
# -v /srv/data:/data bind-mounts a folder of the machine: outside the overlay too, but no
# volume that Docker manages.
set -eu
mkdir -p /srv/data
docker run -d --name store -v /srv/data:/data debian sleep 3600
docker exec store sh -c 'echo hello > /data/note; echo hello > /tmp/note'
