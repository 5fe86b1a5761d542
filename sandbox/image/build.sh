#!/usr/bin/env bash
# Builds the learner machine image on the host's Docker engine from Debian packages only:
# the lesson images first (built offline: FROM scratch + Debian root filesystems and two
# static programs), then the machine's root filesystem with mmdebstrap, provisioned by
# provision.sh. Cached by a hash of the recipe; a failed build leaves nothing behind.
#
#   sandbox/image/build.sh [--print-tag] [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

recipe=(sandbox/image/build.sh sandbox/image/provision.sh sandbox/image/machine-init.sh sandbox/image/lesson-images.sh sandbox/image/packages.txt sandbox/image/lesson-images)
hash=$(find "${recipe[@]}" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
tag="unboxed-machine:$hash"
if [ "${1:-}" = --print-tag ]; then echo "$tag"; exit 0; fi

if [ "${1:-}" != --force ] && docker image inspect "$tag" >/dev/null 2>&1; then
  info "machine image $tag is up to date"
  exit 0
fi

step "Building the learner machine image $tag (a few minutes, once per recipe change)"
apt_install mmdebstrap
work=$(mktemp -d /var/tmp/unboxed-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stage"

step "1/3 Lesson images"
bash sandbox/image/lesson-images.sh "$work/stage" "$hash"

step "2/3 Machine root filesystem (mmdebstrap + provision.sh)"
cp sandbox/image/provision.sh sandbox/image/machine-init.sh "$work/stage/"
packages=$(grep -v '^#' sandbox/image/packages.txt | paste -sd, -)
mmdebstrap -q --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='mkdir -p "$1/tmp/unboxed"' \
  --customize-hook="sync-in $work/stage /tmp/unboxed" \
  --customize-hook='chroot "$1" bash /tmp/unboxed/provision.sh' \
  --customize-hook='install -m 0755 "$1/tmp/unboxed/machine-init.sh" "$1/usr/local/lib/unboxed/machine-init"' \
  --customize-hook='mv "$1/tmp/unboxed/lesson-images.tar" "$1/tmp/unboxed/lesson-images.list" "$1/usr/share/unboxed/"' \
  --customize-hook='rm -rf "$1/tmp/unboxed"' \
  bookworm "$work/machine.tar"
info "root filesystem: $(du -h "$work/machine.tar" | cut -f1)"

step "3/3 Importing $tag"
docker import \
  --change 'ENV container=docker' \
  --change 'CMD ["/usr/local/lib/unboxed/machine-init"]' \
  --change "LABEL unboxed.recipe=$hash" \
  "$work/machine.tar" "$tag" >/dev/null
# Older machine images are replaced, not accumulated; running machines keep theirs.
docker images --format '{{.Repository}}:{{.Tag}}' unboxed-machine | grep -vx "$tag" | xargs -r docker rmi >/dev/null 2>&1 || true
info "built $tag"
