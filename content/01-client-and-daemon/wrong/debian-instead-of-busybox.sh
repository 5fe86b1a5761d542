#!/bin/bash
# The right endpoint, the wrong image.
set -eu
curl -sf --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
  -d '{"Image": "debian", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'
