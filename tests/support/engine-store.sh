#!/usr/bin/env bash
# Writes FILE: an ext4 file system holding a Docker data root with only IMAGE in it, for
# another host's engine to mount at /var/lib/docker (sandbox/qemu/docker-on-cgroup-v2's
# guest). A second dockerd on this host loads the image into it at native speed; the
# guest's own `docker load` hashes every layer under TCG, 5 to 10 minutes. Both engines
# are Debian's docker.io, so the guest reads the store as its own. FILE appears complete
# or not at all.
#
#   tests/support/engine-store.sh FILE IMAGE
set -euo pipefail
file=$1
image=$2

# Its mounts (the loop file system, the second dockerd's layers) in a private mount
# namespace of its own: no container the host's engine starts meanwhile (CI runs other
# suites beside this) gets a copy, and they end with this script.
if [ -z "${ENGINE_STORE_NAMESPACE:-}" ]; then
  exec env ENGINE_STORE_NAMESPACE=private unshare --mount --propagation private bash "$0" "$@"
fi

part="$file.part"
run=$(mktemp -d /tmp/unboxed-store.XXXXXX)
engine=
# The second dockerd ended: waited for as this script's child, as it removes its pid file
# before it exits, and unmounting its data root in between failed in CI ("target is busy").
stop_engine() {
  [ -n "$engine" ] || return 0
  kill "$engine" 2>/dev/null || true
  wait "$engine" || true
  engine=
}
cleanup() {
  stop_engine
  mountpoint -q "$run/root" && umount "$run/root"
  rm -rf --one-file-system "$run"
  rm -f "$part"
}
trap cleanup EXIT

# Room for the image's layers (its size as `docker images` shows it) and ext4's own, sparse.
bytes=$(docker image inspect -f '{{.Size}}' "$image")
truncate -s $((bytes * 2 + 512 * 1024 * 1024)) "$part"
mkfs.ext4 -q -F -m 0 "$part"
mkdir "$run/root"
mount -o loop "$part" "$run/root"

# No network, no iptables, its own containerd namespace: nothing the host's engine sees.
dockerd --data-root "$run/root" --exec-root "$run/exec" --pidfile "$run/pid" -H "unix://$run/sock" \
  --bridge none --iptables=false --ip6tables=false --ip-masq=false \
  --containerd-namespace unboxed-store --containerd-plugins-namespace unboxed-store-plugins \
  >"$run/log" 2>&1 &
engine=$!
for _ in $(seq 100); do docker -H "unix://$run/sock" version >/dev/null 2>&1 && break; sleep 0.2; done
docker -H "unix://$run/sock" version >/dev/null || { cat "$run/log" >&2; echo "engine-store: the second dockerd did not start" >&2; exit 1; }
docker save "$image" | docker -H "unix://$run/sock" load -q >/dev/null

stop_engine
# What the load wrote and deleted (its temporary copy) becomes holes in the file again:
# ext4 frees those blocks for good at a mount, so trim after one.
umount "$run/root"
mount -o loop "$part" "$run/root"
fstrim "$run/root"
umount "$run/root"
mv "$part" "$file"
