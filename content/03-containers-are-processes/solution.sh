#!/bin/bash
set -eu
docker run -d --name sleeper busybox sleep 3600
docker run -d --name site -p 127.0.0.1:8080:80 nginx
docker exec -d sleeper sleep 7777
pid=$(docker inspect -f '{{.State.Pid}}' sleeper)
echo hello > "/proc/$pid/root/tmp/hello-from-host"
docker run -d --name victim busybox sleep 3600
kill -KILL "$(docker inspect -f '{{.State.Pid}}' victim)"
# The daemon learns of the death through the shim and containerd: wait for it.
for _ in $(seq 50); do [ "$(docker inspect -f '{{.State.Status}}' victim)" = exited ] && break; sleep 0.1; done
