#!/bin/sh
# PID 1 of a learner machine's container (the docker driver), before systemd. Two things
# a root learner must not undo, set up where the learner cannot reach:
#
# 1. Limits that bind. The engine sets memory, CPU and pid limits on the container's
#    cgroup; a private cgroup namespace rooted there would show those very files to the
#    learner, writable. So the machine moves into a child cgroup, `machine`, and roots a
#    new cgroup namespace there: the learner sees and may change only the child's files,
#    and the engine's limits on the parent bind it all. `docker exec` joins this
#    namespace (it enters PID 1's), so terminals and checks are inside it too.
# 2. The whole machine on its own disk. The machine's disk (an ext4 file system sized
#    to its limit, bound at /.machine) holds its root file system: the first boot (the
#    base disk's preparation) copies the image onto it, and every boot pivots into it.
#    Every path a learner can write is then on that disk or in memory (tmpfs, charged to
#    the machine's memory limit); nothing lands in the host engine's own storage.
set -eu

disk=/.machine
root=$disk/rootfs
stage=${1:-cgroups}

# Mount point, file system type and super options of each cgroup hierarchy.
cgroup_mounts() {
  awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $5, $(i + 1), $(i + 3) }' /proc/self/mountinfo
}

case $stage in
cgroups)
  # Read before the loop, which then runs in this shell: a pipeline's subshell would stay
  # in the parent cgroup, and on v2 a cgroup with a process cannot hand controllers down.
  mounts=$(cgroup_mounts)
  while read -r mountpoint type options; do
    # The engine mounts them read-only; this is still the engine's own setup, before any learner.
    mount -o remount,bind,rw "$mountpoint"
    mkdir -p "$mountpoint/machine"
    # v1 only: an empty v1 cpuset takes no tasks (v2's is empty until enabled, and inherits).
    if [ "$type" = cgroup ] && [ -f "$mountpoint/cpuset.cpus" ]; then
      cat "$mountpoint/cpuset.cpus" >"$mountpoint/machine/cpuset.cpus"
      cat "$mountpoint/cpuset.mems" >"$mountpoint/machine/cpuset.mems"
    fi
    echo $$ >"$mountpoint/machine/cgroup.procs"
    if [ "$type" = cgroup2 ]; then
      # The child gets every controller the parent has, for the machine's own dockerd.
      for controller in $(cat "$mountpoint/cgroup.controllers"); do
        echo "+$controller" >"$mountpoint/cgroup.subtree_control"
      done
    fi
  done <<MOUNTS
$mounts
MOUNTS
  exec unshare --cgroup /bin/sh "$0" root
  ;;
root)
  # Mounted again from inside the new namespace, each hierarchy's root is `machine`.
  cgroup_mounts | while read -r mountpoint type options; do
    umount "$mountpoint"
    if [ "$type" = cgroup2 ]; then
      mount -t cgroup2 cgroup2 "$mountpoint"
    else
      mount -t cgroup -o "$options" cgroup "$mountpoint"
    fi
  done

  if [ ! -x "$root/sbin/init" ]; then
    mkdir -p "$root.draft"
    cp -ax /. "$root.draft/"
    mv "$root.draft" "$root"
  fi
  mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/.old"
  # The engine writes these per container (the hostname differs in every clone).
  for file in /etc/hostname /etc/hosts /etc/resolv.conf; do cat "$file" >"$root$file"; done

  mount -n --make-rprivate /
  mount -n --bind "$root" "$root"
  # -n: no userspace mount table (in /run, which is on the move).
  for dir in /dev /proc /sys /run /tmp; do mount -n --move "$dir" "$root$dir"; done
  # Terminal sessions' sockets (dtach), where the host reaches them: at the top of the
  # disk, beside the root file system. The learner sees the folder's entries but not the
  # disk's top, so no path the host opens there runs through a name the learner controls.
  mkdir -p "$disk/terminals" "$root/run/unboxed-terminals"
  mount -n --bind "$disk/terminals" "$root/run/unboxed-terminals"
  cd "$root"
  pivot_root . .old
  umount -n -l /.old
  rmdir /.old
  exec /sbin/init
  ;;
esac
