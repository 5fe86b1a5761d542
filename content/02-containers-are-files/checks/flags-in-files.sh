#!/bin/bash
# tagged runs with -e GREETING=hello and --restart on-failure:3, and each flag is in the
# places that must agree: the daemon's file on disk, the daemon's answer to docker
# inspect, and, for the variable, the kernel's copy of the process's environment.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
{ read -r status; read -r id; read -r pid; read -r restart; read -r env; } < <(container_get tagged \
  '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.State.Pid}}{{"\n"}}{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}{{"\n"}}{{json .Config.Env}}')
assert_equal "tagged is running" running "${status:-no container named tagged}" \
  "docker run -d --name tagged -e GREETING=hello --restart on-failure:3 busybox sleep 3600"
[ "${status:-}" = running ] || exit
folder=/var/lib/docker/containers/$id

has_greeting() { if grep -qx 'GREETING=hello'; then echo GREETING=hello; else echo missing; fi; }
places="config.v2.json: $(jq -r '.Config.Env[]?' "$folder/config.v2.json" 2>/dev/null | has_greeting)"
places="$places, inspect: $(jq -r '.[]?' <<< "$env" | has_greeting)"
places="$places, /proc/$pid/environ: $(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | has_greeting)"
assert_equal "-e GREETING=hello is in config.v2.json, docker inspect and the process" \
  "config.v2.json: GREETING=hello, inspect: GREETING=hello, /proc/$pid/environ: GREETING=hello" "$places" \
  "Flags go before the image: docker run -d --name tagged -e GREETING=hello --restart on-failure:3 busybox sleep 3600"

in_file=$(jq -r '"\(.RestartPolicy.Name):\(.RestartPolicy.MaximumRetryCount)"' "$folder/hostconfig.json" 2>/dev/null)
assert_equal "--restart on-failure:3 is in hostconfig.json and docker inspect" \
  "hostconfig.json: on-failure:3, inspect: on-failure:3" "hostconfig.json: ${in_file:-unreadable}, inspect: $restart" \
  "dockerd reads hostconfig.json when it starts and rewrites it from memory: give the policy to docker run (or docker update --restart on-failure:3 tagged)"
