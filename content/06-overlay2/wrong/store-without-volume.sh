#!/bin/bash
# No -v: /data is an ordinary folder of the container, and the note lands in its upper layer.
set -eu
docker run -d --name store debian sleep 3600
docker exec store sh -c 'mkdir -p /data; echo hello > /data/note; echo hello > /tmp/note'
