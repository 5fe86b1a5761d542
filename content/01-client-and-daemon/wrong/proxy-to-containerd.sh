#!/bin/bash
# A forking proxy at the right place, forwarding to the wrong socket: containerd's, which
# speaks gRPC, not the Docker API.
set -eu
setsid -f socat -v UNIX-LISTEN:/tmp/proxy.sock,fork UNIX-CONNECT:/run/containerd/containerd.sock </dev/null >/tmp/proxy.log 2>&1
for _ in $(seq 50); do [ -S /tmp/proxy.sock ] && break; sleep 0.1; done
