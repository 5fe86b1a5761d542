#!/bin/bash
# no-new-privileges stops a process from gaining privileges (setuid programs); it keeps every capability it has.
set -eu
docker run -d --name bare --security-opt no-new-privileges busybox sleep 3600
