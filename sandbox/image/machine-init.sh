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
# 2. Everything the machine writes on its own disk. The machine's disk (an ext4 file
#    system sized to its limit, bound at /.machine) holds what the machine changed of its
#    root (an overlay's upper layer over the image's files) and its dockerd's storage.
#    Every path a learner can write is then on that disk or in memory (tmpfs, charged to
#    the machine's memory limit); nothing lands in the host engine's own storage. The
#    image's files stay shared, read-only: every machine reads the same ones, kept once
#    in the host's page cache (a copy of the root on each disk cost each machine its own
#    cached copy of dockerd, containerd and systemd: 160 MiB, and most of a boot's CPU).
set -eu

disk=/.machine
root=$disk/root
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

  mount -n --make-rprivate /
  # The image's root alone (not what is mounted on it) is the overlay's lower layer; dockerd's
  # storage cannot be on an overlay, so it is a folder of the disk itself.
  mkdir -p "$disk/lower" "$disk/upper" "$disk/work" "$disk/docker" "$root"
  # -n: no userspace mount table (in /run, which is on the move).
  mount -n --bind / "$disk/lower"
  mount -n -t overlay overlay -o "lowerdir=$disk/lower,upperdir=$disk/upper,workdir=$disk/work" "$root"
  mkdir -p "$root/var/lib/docker" "$root/.old"
  mount -n --bind "$disk/docker" "$root/var/lib/docker"
  # The engine writes these per container (the hostname differs in every clone).
  for file in /etc/hostname /etc/hosts /etc/resolv.conf; do cat "$file" >"$root$file"; done
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
