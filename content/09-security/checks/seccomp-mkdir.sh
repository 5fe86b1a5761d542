#!/bin/bash
# no-mkdir runs under a seccomp profile of its own that makes mkdir fail with EPERM,
# while the rest of the filesystem stays writable.
filters() { awk '$1 == "Seccomp_filters:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

assert_container_state "no-mkdir is running" no-mkdir running \
  "docker run -d --name no-mkdir --security-opt seccomp=PROFILE.json busybox sleep 3600"
pid=$(container_pid no-mkdir)
mine=$(filters "${pid:-0}")
machine=$(filters 1)
assert "no-mkdir has a seccomp filter of its own" "$([ -n "$mine" ] && [ "$mine" -gt "${machine:-0}" ] && echo true || echo false)" \
  "more seccomp filters than PID 1 (${machine:-0})" "${mine:-no process}" \
  "seccomp=unconfined removes Docker's filter; give --security-opt seccomp= the path of your JSON profile"

probe=/tmp/.unboxed-probe-$$
made=$(docker exec no-mkdir mkdir "$probe" 2>&1)
status=$?
[ "$status" -eq 0 ] && docker exec no-mkdir rmdir "$probe" >/dev/null 2>&1
assert_match "mkdir inside no-mkdir fails with Operation not permitted" 'Operation not permitted' \
  "$([ "$status" -eq 0 ] && echo "mkdir worked" || echo "${made:-mkdir failed}")" \
  "List both mkdir and mkdirat in the profile with action SCMP_ACT_ERRNO (its errno is EPERM)"
wrote=$(docker exec no-mkdir touch "$probe.file" 2>&1 && docker exec no-mkdir rm -f "$probe.file" 2>&1 && echo ok)
assert_equal "other writes still work in no-mkdir" ok "${wrote:-touch failed}" \
  "Only mkdir should fail: keep the root filesystem writable and the profile's defaultAction SCMP_ACT_ALLOW"
