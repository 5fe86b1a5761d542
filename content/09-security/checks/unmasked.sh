#!/bin/bash
# unmasked runs without Docker's masked and read-only paths, and with nothing else taken
# off: Docker recorded both lists empty, the kernel shows no mount over a file of /proc or
# over /sys/firmware in it, and it keeps Docker's default capabilities and seccomp filter.

assert_container_state "unmasked is running" unmasked running \
  "docker run -d --name unmasked --security-opt systempaths=unconfined busybox sleep 3600"
recorded=$(container_get unmasked '{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}')
assert_equal "Docker recorded no masked and no read-only paths for unmasked" "[] []" "${recorded:-no container unmasked}" \
  "--security-opt systempaths=unconfined empties both lists when the container is made"

pid=$(container_pid unmasked)
if [ -r "/proc/${pid:-0}/mountinfo" ] && [ "$pid" != 0 ]; then
  # Masks are /dev/null or an empty tmpfs mounted over a path; read-only paths are
  # read-only bind mounts of themselves. Without them, /proc has nothing mounted below it.
  covers=$(awk '$5 ~ /^\/proc\/./ || $5 == "/sys/firmware" { printf "%s%s", sep, $5; sep = " " }' "/proc/$pid/mountinfo")
  assert "nothing is mounted over unmasked's /proc files" "$([ -z "$covers" ] && echo true || echo false)" \
    "no mount below /proc, none at /sys/firmware" "${covers:+mounts at }${covers:-none}" \
    "runc mounts what Docker records; a container made with the lists keeps them: remove it and run it again with systempaths=unconfined"
else
  assert "nothing is mounted over unmasked's /proc files" false "no mount below /proc, none at /sys/firmware" "no process" \
    "docker run -d --name unmasked --security-opt systempaths=unconfined busybox sleep 3600"
fi

# Docker 20.10's default capability set, as in the other exercises.
bnd=$(proc_status "${pid:-0}" CapBnd)
mine=$(proc_status "${pid:-0}" Seccomp_filters)
machine=$(proc_status 1 Seccomp_filters)
kept=$([ "$bnd" = 00000000a80425fb ] && [ -n "$mine" ] && [ "$mine" -gt "${machine:-0}" ] && echo true || echo false)
assert "unmasked keeps Docker's other limits" "$kept" \
  "CapBnd 00000000a80425fb and more seccomp filters than PID 1 (${machine:-0})" \
  "$([ -n "$bnd" ] && echo "CapBnd $bnd, $mine seccomp filters" || echo "no process")" \
  "Turn off the paths only: no --privileged, --cap-add or seccomp=unconfined"
