#!/bin/bash
# The wrong capability: FOWNER bypasses permission checks on owned files, CHOWN changes owners.
set -eu
docker run -d --name no-chown --cap-drop FOWNER busybox sleep 3600
