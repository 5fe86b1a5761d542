#!/bin/bash
# A process the learner started with unshare (not a container) is PID 1 of a new PID
# namespace and sits in a UTS namespace of its own whose hostname is lab.
init_pid_ns=$(readlink /proc/1/ns/pid)
init_uts_ns=$(readlink /proc/1/ns/uts)

# started_by_runtime PID: a containerd shim is among its ancestors (a Docker container).
started_by_runtime() {
  local p=$1 comm
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    comm=$(cat "/proc/$p/comm" 2>/dev/null) || return 1
    [[ $comm == containerd-shim* ]] && return 0
    p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}

# The best candidate: a PID 1 of a new PID namespace, preferring one with its own UTS
# namespace, then one whose hostname is lab.
best="" best_score=-1 best_uts="" best_host=""
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  [ "$pid" = 1 ] && continue
  [ "$(awk '/^NSpid:/ { print $NF }' "$dir/status" 2>/dev/null)" = 1 ] || continue
  [ "$(readlink "$dir/ns/pid" 2>/dev/null)" != "$init_pid_ns" ] || continue
  started_by_runtime "$pid" && continue
  uts=$(readlink "$dir/ns/uts" 2>/dev/null)
  host=$(nsenter -t "$pid" -u hostname 2>/dev/null)
  score=0
  if [ "$uts" != "$init_uts_ns" ]; then score=1; [ "$host" = lab ] && score=2; fi
  if [ "$score" -gt "$best_score" ]; then best=$pid best_score=$score best_uts=$uts best_host=$host; fi
done

if [ -z "$best" ]; then
  assert "a process you started is PID 1 of a new PID namespace" false "PID 1 of a new PID namespace (not a container)" "none found" \
    "unshare --pid needs --fork: the new namespace is for its children. Try unshare --uts --pid --fork --mount-proc bash, and keep that shell open"
  exit
fi
assert "a process you started is PID 1 of a new PID namespace" true "PID 1 of a new PID namespace (not a container)" \
  "PID $best ($(cat "/proc/$best/comm" 2>/dev/null)) is PID 1 in $(readlink "/proc/$best/ns/pid")"
assert "it has a UTS namespace of its own" "$([ "$best_uts" != "$init_uts_ns" ] && echo true || echo false)" \
  "a uts namespace other than the machine's ($init_uts_ns)" "$best_uts" \
  "Add --uts to unshare, or hostname renames the whole machine"
assert_equal "its hostname is lab" lab "$best_host" "Inside the new shell, run hostname lab"
