#!/bin/bash
# sidecar runs in web's network and PID namespaces.
assert_container_state "sidecar is running" sidecar running "docker run -d --name sidecar … busybox sleep 3600"
web=$(container_pid web)
sidecar=$(container_pid sidecar)

# same_namespace NAME TYPE HINT: sidecar's /proc/<pid>/ns/TYPE link is web's.
# (Written out here rather than with assert_namespace_shared, whose pass test only looks
# at the first process.)
same_namespace() {
  local a b
  a=$(readlink "/proc/${sidecar:-0}/ns/$2" 2>/dev/null)
  b=$(readlink "/proc/${web:-0}/ns/$2" 2>/dev/null)
  assert "$1" "$([ -n "$a" ] && [ "$a" = "$b" ] && echo true || echo false)" \
    "sidecar in web's $2 namespace (${b:-web is not running})" "${a:-sidecar is not running}" "$3"
}
same_namespace "sidecar shares web's network namespace" net "docker run --network container:web …"
same_namespace "sidecar shares web's PID namespace" pid "docker run --pid container:web …"
