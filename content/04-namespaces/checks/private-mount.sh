#!/bin/bash
# A process the learner started in a mount namespace of its own sees a tmpfs on /mnt;
# the machine itself has nothing mounted there.
init_mnt_ns=$(readlink /proc/1/ns/mnt)

# fstype_at MOUNTINFO MOUNTPOINT: the filesystem type mounted there (the last mount wins).
fstype_at() {
  awk -v mp="$2" '$5 == mp { for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } } END { print t }' "$1" 2>/dev/null
}

started_by_runtime() {
  local p=$1 comm
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    comm=$(cat "/proc/$p/comm" 2>/dev/null) || return 1
    [[ $comm == containerd-shim* ]] && return 0
    p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}

on_machine=$(fstype_at /proc/1/mountinfo /mnt)
seen="nothing mounted there"
[ -n "$on_machine" ] && seen="a $on_machine mounted on the machine's /mnt"
assert "the machine itself has nothing mounted on /mnt" "$([ -z "$on_machine" ] && echo true || echo false)" \
  "no mount on /mnt in the machine's mount namespace" "$seen" \
  "Mount inside a shell started with unshare --mount, not in the machine's own shell (umount /mnt undoes it)"

found=""
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  mnt=$(readlink "$dir/ns/mnt" 2>/dev/null) || continue
  [ "$mnt" != "$init_mnt_ns" ] || continue
  [ "$(fstype_at "$dir/mountinfo" /mnt)" = tmpfs ] || continue
  started_by_runtime "$pid" && continue
  found="PID $pid ($(cat "$dir/comm" 2>/dev/null)) in $mnt"
  break
done
assert "a process in a mount namespace of its own sees a tmpfs on /mnt" "$([ -n "$found" ] && echo true || echo false)" \
  "a tmpfs on /mnt in another mount namespace" "${found:-none found}" \
  "unshare --mount bash, then mount -t tmpfs scratch /mnt, and keep that shell open"
