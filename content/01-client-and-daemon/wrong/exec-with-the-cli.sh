#!/bin/bash
# from-curl created and started through the API, but the command run with docker exec.
set -eu
sock=/var/run/docker.sock
curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
  -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'
curl -sf --unix-socket "$sock" -X POST http://localhost/containers/from-curl/start
docker exec from-curl touch /tmp/made-by-api
