#!/bin/bash
# sleeper runs busybox's sleep 3600, and its process's parent on the host is the
# containerd shim started for it (the shim's command line names sleeper's id).
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
assert_container_state "sleeper is running" sleeper running "docker run -d --name sleeper busybox sleep 3600"
pid=$(container_pid sleeper)
if [ -z "$pid" ] || [ "$pid" = 0 ]; then exit; fi
{ read -r id; read -r image; } < <(container_get sleeper '{{.Id}}{{"\n"}}{{.Config.Image}}')
assert_match "sleeper is made from busybox" '^busybox(:latest)?$' "$image" \
  "docker rm -f sleeper, then docker run -d --name sleeper busybox sleep 3600"
assert_match "sleeper runs sleep 3600" '^sleep 3600 ?$' "$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")" \
  "docker run -d --name sleeper busybox sleep 3600"
ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
parent=$(tr '\0' ' ' 2>/dev/null < "/proc/$ppid/cmdline")
assert_match "sleeper's parent process is its shim" "containerd-shim-runc-v2 .*-id $id" "${parent:-no process}" \
  "ps -o ppid= -p <PID> gives the parent; its command line names the container id"
