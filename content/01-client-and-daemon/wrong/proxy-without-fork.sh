#!/bin/bash
# socat without fork: it forwards the CLI's one connection, then exits.
set -eu
setsid -f socat -v UNIX-LISTEN:/tmp/proxy.sock UNIX-CONNECT:/var/run/docker.sock </dev/null >/tmp/proxy.log 2>&1
for _ in $(seq 50); do [ -S /tmp/proxy.sock ] && break; sleep 0.1; done
docker -H unix:///tmp/proxy.sock ps
sleep 0.5
