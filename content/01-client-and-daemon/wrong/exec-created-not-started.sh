#!/bin/bash
# The exec is created but never started: the command never runs.
set -eu
sock=/var/run/docker.sock
curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
  -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' 'http://localhost/containers/create?name=from-curl'
curl -sf --unix-socket "$sock" -X POST http://localhost/containers/from-curl/start
curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
  -d '{"Cmd": ["touch", "/tmp/made-by-api"]}' http://localhost/containers/from-curl/exec
