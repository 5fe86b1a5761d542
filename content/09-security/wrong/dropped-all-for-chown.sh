#!/bin/bash
# chown fails, but so does everything else that needs a capability.
set -eu
docker run -d --name no-chown --cap-drop ALL busybox sleep 3600
