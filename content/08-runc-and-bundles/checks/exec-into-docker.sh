#!/bin/bash
# A process "sleep 4242" runs inside the Docker container web, started with runc on
# Docker's runc state root: the kernel and runc know it, dockerd ran no exec.
assert_container_state "web is running" web running "docker run -d --name web busybox sleep 3600"
pid=$(container_pid web)
ns=$(readlink "/proc/${pid:-0}/ns/pid" 2>/dev/null)
found=""
for p in $(pgrep -x sleep); do
  if [ -n "$ns" ] && [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$ns" ] &&
    [ "$(tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline")" = "sleep 4242 " ]; then found=$p; fi
done
assert "sleep 4242 runs inside web's PID namespace" "$([ -n "$found" ] && echo true || echo false)" \
  "a process sleep 4242 in the PID namespace ${ns:-of web}" "$([ -n "$found" ] && echo "PID $found" || echo "no such process in web")" \
  "runc --root <Docker's runc root> exec -d <web's full id> sleep 4242; the shim's options.json names the root, add /moby"
execs=$(container_get web '{{json .ExecIDs}}')
assert "dockerd ran no exec in web" "$([ "$execs" = null ] || [ "$execs" = '[]' ] && echo true || echo false)" \
  "no exec sessions recorded by dockerd" "${execs:-no container web}" \
  "docker exec goes through dockerd, which records it: use runc directly (and stop any docker exec still running in web)"
