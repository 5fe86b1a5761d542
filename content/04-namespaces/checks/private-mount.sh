#!/bin/bash
# A process the learner started in a mount namespace of its own sees a tmpfs on /mnt;
# the machine itself has nothing mounted there.
init_mnt_ns=$(readlink /proc/1/ns/mnt)

read -r on_machine _ <<<"$(mount_at /proc/1/mountinfo /mnt)"
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
  read -r fstype _ <<<"$(mount_at "$dir/mountinfo" /mnt)"
  [ "$fstype" = tmpfs ] || continue
  started_by_runtime "$pid" && continue
  found="PID $pid ($(cat "$dir/comm" 2>/dev/null)) in $mnt"
  break
done
assert "a process in a mount namespace of its own sees a tmpfs on /mnt" "$([ -n "$found" ] && echo true || echo false)" \
  "a tmpfs on /mnt in another mount namespace" "${found:-none found}" \
  "unshare --mount bash, then mount -t tmpfs scratch /mnt, and keep that shell open"
