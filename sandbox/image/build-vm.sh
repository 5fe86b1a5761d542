#!/usr/bin/env bash
# Builds the qemu driver's learner machine from the same recipe as every other driver:
# the machine image that build.sh makes (packages, provision.sh, lesson images), plus a
# kernel, an initramfs and an SSH server (provision-vm.sh), as an ext4 disk in qcow2.
# Output: .cache/vm-image/<hash>/{disk.qcow2,vmlinuz,initrd.img}; a failed build leaves
# nothing behind. Cached by the hash of both recipes.
#
#   sandbox/image/build-vm.sh [--print-dir] [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

machine_tag=$(bash sandbox/image/build.sh --print-tag)
hash=$( (echo "$machine_tag"; cat sandbox/image/build-vm.sh sandbox/image/provision-vm.sh) | sha256sum | cut -c1-12)
out="$PWD/.cache/vm-image/$hash"
if [ "${1:-}" = --print-dir ]; then echo "$out"; exit 0; fi

if [ "${1:-}" != --force ] && [ -f "$out/disk.qcow2" ]; then
  info "VM image $out is up to date"
  exit 0
fi

bash sandbox/image/build.sh
step "Building the VM learner machine $hash (kernel, SSH, ext4 disk; a few minutes, once per recipe change)"
apt_install qemu-system-x86 qemu-utils e2fsprogs openssh-client
work=$(mktemp -d /var/tmp/unboxed-vm.XXXXXX)
root="$work/root"
container=""
cleanup() {
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

step "1/3 Machine root filesystem from $machine_tag"
container=$(docker create "$machine_tag")
mkdir -p "$root"
docker export "$container" | tar -C "$root" -x --numeric-owner
# Docker bind-mounts these into containers; the VM needs its own.
rm -f "$root/.dockerenv"
echo unboxed >"$root/etc/hostname"

step "2/3 Kernel, initramfs and SSH server (apt-get in the machine root)"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
# apt-get inside uses the host's resolver; the machine itself has no DNS.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp sandbox/image/provision-vm.sh "$root/tmp/provision-vm.sh"
chroot "$root" bash /tmp/provision-vm.sh
rm "$root/tmp/provision-vm.sh"
: >"$root/etc/resolv.conf"
for m in dev/pts dev proc sys; do umount -l "$root/$m"; done
cp -L "$root/vmlinuz" "$work/vmlinuz"
cp -L "$root/initrd.img" "$work/initrd.img"

step "3/3 ext4 disk image"
# Sparse, and just big enough for the image: every machine's disk grows from it to the
# machine's disk limit (the qemu driver resizes it on restore).
mkfs.ext4 -q -L unboxed-root -E root_owner=0:0 -d "$root" "$work/disk.raw" 3G
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
mkdir -p "$(dirname "$out")"
rm -rf "$out.tmp" && mkdir "$out.tmp"
mv "$work/disk.qcow2" "$work/vmlinuz" "$work/initrd.img" "$out.tmp/"
rm -rf "$out" && mv "$out.tmp" "$out"
# Older VM images go; running machines keep theirs open (their overlays name the file).
find "$(dirname "$out")" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -exec rm -rf {} + 2>/dev/null || true
info "disk $(du -h "$out/disk.qcow2" | cut -f1) (virtual 3 GiB), kernel $(du -h "$out/vmlinuz" | cut -f1), initramfs $(du -h "$out/initrd.img" | cut -f1)"
info "built $out"
