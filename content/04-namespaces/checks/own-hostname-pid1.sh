#!/bin/bash
# A shell started with `unshare --uts --pid --fork --mount-proc` is PID 1 of a new PID
# namespace, sees its own /proc, and has the hostname lab in a UTS namespace of its own,
# while the machine keeps its name. Each point is read from two sides: the machine's
# /proc against the shell's own, the new UTS namespace against the machine's.
init_pid_ns=$(readlink /proc/1/ns/pid)
init_uts_ns=$(readlink /proc/1/ns/uts)
shells=' bash sh dash zsh ash ksh fish busybox '

# judge PID: sets one "PASS|EVIDENCE" per point below (own_uts: only PASS; builtins where
# they do, for speed).
made_by_unshare="" is_shell="" own_proc="" own_uts="" named_lab=""
judge() {
  local pid=$1 parent parent_comm="" comm="" own_ns children_ns start seen_stat="" seen_ns seen_comm="" uts host
  own_ns=$(readlink "/proc/$pid/ns/pid")
  parent=$(proc_status "$pid" PPid)
  read -r parent_comm <"/proc/$parent/comm" 2>/dev/null
  children_ns=$(readlink "/proc/$parent/ns/pid_for_children" 2>/dev/null)
  # unshare --fork: the parent stays in the machine's namespace and made this one for its children.
  if [ "$parent_comm" = unshare ] && [ "$children_ns" = "$own_ns" ]; then made_by_unshare="true|its parent, PID $parent (unshare), made $own_ns for its children"
  else made_by_unshare="false|its parent is PID $parent (${parent_comm:-gone}), which did not make $own_ns for its children"; fi
  read -r comm <"/proc/$pid/comm" 2>/dev/null
  if [[ $shells == *" $comm "* ]]; then is_shell="true|$comm"; else is_shell="false|$comm"; fi
  # Its own /proc, read through its root: PID 1 there must be this very process (same
  # namespace, same start time).
  start=$(process_start "$pid")
  read -r seen_stat <"/proc/$pid/root/proc/1/stat" 2>/dev/null
  seen_stat=${seen_stat##*) }
  read -ra seen_fields <<<"$seen_stat"
  seen_ns=$(readlink "/proc/$pid/root/proc/1/ns/pid" 2>/dev/null)
  read -r seen_comm <"/proc/$pid/root/proc/1/comm" 2>/dev/null
  if [ "$seen_ns" = "$own_ns" ] && [ "${seen_fields[19]:-}" = "$start" ]; then own_proc="true|its /proc shows itself as PID 1"
  else own_proc="false|its /proc shows the machine's processes (PID 1 there is ${seen_comm:-unreadable})"; fi
  uts=$(readlink "/proc/$pid/ns/uts")
  own_uts=$([ "$uts" != "$init_uts_ns" ] && echo true || echo false)
  host=$(nsenter -t "$pid" -u hostname 2>/dev/null)
  if [ "$host" = lab ]; then named_lab="true|$host"; else named_lab="false|${host:-unreadable}"; fi
}

# The candidates: PID 1 of a PID namespace other than the machine's, outside containers.
# Of several, the one that meets the most points is judged.
best="" best_score=-1
for file in $(grep -lsE $'^NSpid:.*\t1$' /proc/[0-9]*/status); do
  pid=${file#/proc/}; pid=${pid%/status}
  [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" != "$init_pid_ns" ] || continue
  started_by_runtime "$pid" && continue
  judge "$pid"
  score=0
  for result in "$made_by_unshare" "$is_shell" "$own_proc" "$own_uts" "$named_lab"; do
    [ "${result%%|*}" = true ] && score=$((score + 1))
  done
  if [ "$score" -gt "$best_score" ]; then best=$pid best_score=$score; fi
done

if [ -z "$best" ]; then
  assert "a process you started is PID 1 of a new PID namespace" false "PID 1 of a new PID namespace (not a container)" "none found" \
    "unshare --pid needs --fork: the new namespace is for its children. Try unshare --uts --pid --fork --mount-proc bash, and keep that shell open"
else
  judge "$best"
  assert "a process you started is PID 1 of a new PID namespace" true "PID 1 of a new PID namespace (not a container)" \
    "PID $best ($(cat "/proc/$best/comm" 2>/dev/null)) is PID 1 in $(readlink "/proc/$best/ns/pid")"
  assert "unshare --fork started it" "${made_by_unshare%%|*}" "a child of unshare, which made its PID namespace" "${made_by_unshare#*|}" \
    "Without --fork, unshare runs your program in the machine's PID namespace and only its first child is PID 1; runc or docker make containers, not what this exercise asks"
  assert "it is a shell" "${is_shell%%|*}" "a shell (bash)" "${is_shell#*|}" \
    "Give unshare the shell to run: unshare --uts --pid --fork --mount-proc bash"
  assert "it has a /proc of its own" "${own_proc%%|*}" "its /proc showing itself as PID 1" "${own_proc#*|}" \
    "Add --mount-proc, or ps and /proc still show the machine's processes"
  assert_namespace_differs "it has a UTS namespace of its own" "$best" uts \
    "Add --uts to unshare, or hostname renames the whole machine"
  assert "its hostname is lab" "${named_lab%%|*}" lab "${named_lab#*|}" "Inside the new shell, run hostname lab"
fi
machine_host=$(hostname)
assert "the machine keeps its own name" "$([ "$machine_host" != lab ] && echo true || echo false)" \
  "a machine hostname other than lab" "$machine_host" \
  "hostname lab ran in the machine's UTS namespace: put its name back with hostname $(cat /etc/hostname 2>/dev/null), then rename only inside the new shell"
