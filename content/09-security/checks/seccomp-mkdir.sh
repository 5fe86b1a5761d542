#!/bin/bash
# no-mkdir runs under a seccomp profile of the learner's own, not Docker's default: Docker
# recorded that profile in HostConfig.SecurityOpt, the kernel shows a filter on the
# process, and it behaves unlike the default (which allows mkdir): mkdir fails with EPERM
# while the rest of the filesystem stays writable.

# One docker inspect (each costs ~0.1 s): the state and PID on the first line, then the
# security options, one a line.
inspected=$(container_get no-mkdir $'{{.State.Status}} {{.State.Pid}}\n{{range .HostConfig.SecurityOpt}}{{println .}}{{end}}')
read -r state pid <<<"$inspected"
assert "no-mkdir is running" "$([ "$state" = running ] && echo true || echo false)" "no-mkdir is running" "${state:-no container named no-mkdir}" \
  "docker run -d --name no-mkdir --security-opt seccomp=/root/no-mkdir.json busybox sleep 3600"

# Docker keeps the profile it was given, as JSON, after "seccomp=". Nothing there means
# Docker's default profile; "unconfined" means no filter at all.
option=$(tail -n +2 <<<"$inspected" | grep '^seccomp=')
profile=${option#seccomp=}
if [ -z "$option" ]; then
  recorded="no seccomp option: Docker's default profile"
elif jq -e 'type == "object"' <<<"$profile" >/dev/null 2>&1; then
  recorded="a profile of $(jq '.syscalls // [] | length' <<<"$profile") rules, defaultAction $(jq -r .defaultAction <<<"$profile")"
else
  recorded=$option
fi
assert "Docker recorded a seccomp profile of yours for no-mkdir" "$([[ $recorded == "a profile "* ]] && echo true || echo false)" \
  "seccomp=<your profile's JSON> in HostConfig.SecurityOpt" "$recorded" \
  "Give the file to docker run: --security-opt seccomp=/root/no-mkdir.json (without it, Docker uses its default profile)"

mine=$(proc_status "${pid:-0}" Seccomp_filters)
machine=$(proc_status 1 Seccomp_filters)
assert "the kernel filters no-mkdir's system calls" "$([ -n "$mine" ] && [ "$mine" -gt "${machine:-0}" ] && echo true || echo false)" \
  "more seccomp filters than PID 1 (${machine:-0})" "${mine:-no process}" \
  "seccomp=unconfined removes every filter; give --security-opt seccomp= the path of your JSON profile"

# One exec for both probes: mkdir must be refused, a file must still be writable.
probe=/tmp/.unboxed-probe-$$
result="no-mkdir is not running"
[ "$state" = running ] &&
  result=$(docker exec no-mkdir sh -c "mkdir $probe 2>&1 && rmdir $probe && echo 'mkdir worked'; touch $probe.file 2>&1 && rm -f $probe.file && echo 'touch worked'" 2>&1)
made=$(grep -m1 -v '^touch' <<<"$result")
assert_match "mkdir inside no-mkdir fails with Operation not permitted (Docker's default allows it)" 'Operation not permitted' \
  "${made:-${result:-no answer from docker exec}}" \
  "List both mkdir and mkdirat in the profile with action SCMP_ACT_ERRNO (its errno is EPERM)"
wrote=$(grep -m1 '^touch' <<<"$result")
assert_equal "other writes still work in no-mkdir" "touch worked" "${wrote:-${result:-no answer from docker exec}}" \
  "Only mkdir should fail: keep the root filesystem writable and the profile's defaultAction SCMP_ACT_ALLOW"
