#!/bin/bash
# Created through the API but never started.
set -eu
curl -sf --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
  -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'
