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

part="$file.part"
run=$(mktemp -d /tmp/unboxed-store.XXXXXX)
cleanup() {
  if [ -f "$run/pid" ]; then
    kill "$(cat "$run/pid")" 2>/dev/null || true
    for _ in $(seq 100); do [ -f "$run/pid" ] || break; sleep 0.1; done
  fi
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
for _ in $(seq 100); do docker -H "unix://$run/sock" version >/dev/null 2>&1 && break; sleep 0.2; done
docker -H "unix://$run/sock" version >/dev/null || { cat "$run/log" >&2; echo "engine-store: the second dockerd did not start" >&2; exit 1; }
docker save "$image" | docker -H "unix://$run/sock" load -q >/dev/null

kill "$(cat "$run/pid")"
for _ in $(seq 300); do [ -f "$run/pid" ] || break; sleep 0.1; done
[ ! -f "$run/pid" ] || { echo "engine-store: the second dockerd did not stop" >&2; exit 1; }
# What the load wrote and deleted (its temporary copy) becomes holes in the file again:
# ext4 frees those blocks for good at a mount, so trim after one.
umount "$run/root"
mount -o loop "$part" "$run/root"
fstrim "$run/root"
umount "$run/root"
mv "$part" "$file"
