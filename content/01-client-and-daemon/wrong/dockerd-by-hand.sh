#!/bin/bash
# docker.service stopped, then dockerd started by hand: it binds a socket of its own over
# the path systemd listened on, and systemd's docker.service stays down.
set -eu
systemctl stop docker.service
setsid -f dockerd -H unix:///var/run/docker.sock --containerd=/run/containerd/containerd.sock </dev/null >/var/log/dockerd-by-hand.log 2>&1
# Wait for its own listening socket (a connection now could still reach systemd's and wake docker.service).
for _ in $(seq 100); do grep -q ' /var/run/docker.sock$' /proc/net/unix && break; sleep 0.1; done
grep -q ' /var/run/docker.sock$' /proc/net/unix
