#!/bin/bash
# Stops dockerd and wakes it through systemd's socket; creates, starts and execs into a
# container through the Engine API only; then puts a socat proxy in front of the socket
# and sends the CLI through it.
set -eu
sock=/var/run/docker.sock
systemctl stop docker.service
# The connection waits in the socket's queue while systemd starts dockerd for it.
curl -sf --unix-socket "$sock" http://localhost/_ping
curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
  -d '{"Image": "busybox", "Cmd": ["sleep", "3600"]}' \
  'http://localhost/containers/create?name=from-curl'
curl -sf --unix-socket "$sock" -X POST http://localhost/containers/from-curl/start
exec_id=$(curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
  -d '{"Cmd": ["touch", "/tmp/made-by-api"]}' http://localhost/containers/from-curl/exec | jq -r .Id)
curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' -d '{}' "http://localhost/exec/$exec_id/start"
# Detached from this shell (setsid, no inherited output) so it outlives the script.
setsid -f socat -v UNIX-LISTEN:/tmp/proxy.sock,fork UNIX-CONNECT:/var/run/docker.sock </dev/null >/tmp/proxy.log 2>&1
for _ in $(seq 50); do [ -S /tmp/proxy.sock ] && break; sleep 0.1; done
docker -H unix:///tmp/proxy.sock ps
