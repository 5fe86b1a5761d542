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

# Processes outside containers that see a tmpfs on /mnt (one grep reads every mount
# table), preferring one in a mount namespace other than the machine's.
found=""
for file in $(grep -lsE '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /mnt .* - tmpfs ' /proc/[0-9]*/mountinfo); do
  pid=${file#/proc/}; pid=${pid%/mountinfo}
  started_by_runtime "$pid" && continue
  [ -z "$found" ] && found=$pid
  if [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" != "$init_mnt_ns" ]; then found=$pid; break; fi
done
if [ -z "$found" ]; then
  assert "a process of yours sees a tmpfs on /mnt" false "a process outside containers with a tmpfs on /mnt" "none found" \
    "unshare --mount bash, then mount -t tmpfs scratch /mnt, and keep that shell open (a container's mounts made by docker do not count)"
else
  comm=""
  read -r comm <"/proc/$found/comm" 2>/dev/null
  assert "a process of yours sees a tmpfs on /mnt" true "a process outside containers with a tmpfs on /mnt" "PID $found ($comm)"
  assert_namespace_differs "it is in a mount namespace of its own" "$found" mnt \
    "Start the shell with unshare --mount first, then mount inside it"
fi
