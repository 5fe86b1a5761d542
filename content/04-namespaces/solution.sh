#!/bin/bash
set -eu
# A shell of its own: new UTS and PID namespaces, its own /proc, hostname lab. setsid and
# the redirects let it outlive this non-interactive script; `& wait` keeps bash itself as
# PID 1 (it would exec a last command given alone).
setsid unshare --uts --pid --fork --mount-proc bash -c 'hostname lab; sleep 3600 & wait' </dev/null >/dev/null 2>&1 &
# A mount only its own mount namespace sees.
setsid unshare --mount sh -c 'mount -t tmpfs scratch /mnt; exec sleep 3600' </dev/null >/dev/null 2>&1 &
docker run -d --name web nginx
pid=$(docker inspect -f '{{.State.Pid}}' web)
nsenter -t "$pid" -n ip addr add 10.123.0.1/32 dev lo
docker run -d --name sidecar --network container:web --pid container:web busybox sleep 3600
sleep 1
