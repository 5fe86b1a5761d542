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

recipe=(sandbox/image/build.sh sandbox/image/provision.sh sandbox/image/lesson-images)
hash=$(find "${recipe[@]}" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
tag="unboxed-machine:$hash"
if [ "${1:-}" = --print-tag ]; then echo "$tag"; exit 0; fi

if [ "${1:-}" != --force ] && docker image inspect "$tag" >/dev/null 2>&1; then
  info "machine image $tag is up to date"
  exit 0
fi

step "Building the learner machine image $tag (a few minutes, once per recipe change)"
apt_install mmdebstrap busybox-static gcc libc6-dev
work=$(mktemp -d /var/tmp/unboxed-image.XXXXXX)
lesson_tags=()
cleanup() {
  rm -rf "$work"
  [ ${#lesson_tags[@]} -eq 0 ] || docker rmi -f "${lesson_tags[@]}" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# lesson_image NAME DOCKERFILE CONTEXT FINAL_TAGS...: builds one lesson image under a
# private tag and records the names it gets inside the machine.
lesson_image() {
  local name=$1 dockerfile=$2 context=$3
  shift 3
  local private="unboxed-lesson/$name:$hash"
  # The classic builder is enough for FROM scratch and prints its notices on stderr.
  docker build -q -f "$dockerfile" -t "$private" "$context" >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; return 1; }
  lesson_tags+=("$private")
  echo "$private $*" >>"$work/stage/lesson-images.list"
  info "lesson image $name → $*"
}

mkdir -p "$work/stage" "$work/busybox/bin" "$work/debian" "$work/nginx" "$work/my-app"

step "1/4 Lesson images: busybox and my-app"
cp /bin/busybox "$work/busybox/bin/busybox"
chroot "$work/busybox" /bin/busybox --install -s /bin
mkdir -p "$work/busybox/tmp" "$work/busybox/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/busybox/etc/passwd"
tar -C "$work/busybox" -cf "$work/busybox/rootfs.tar" bin tmp etc
lesson_image busybox sandbox/image/lesson-images/busybox.Dockerfile "$work/busybox" busybox:latest busybox:1.35
cp sandbox/image/lesson-images/my-app/Dockerfile "$work/my-app/"
gcc -static -Os -o "$work/my-app/server" sandbox/image/lesson-images/my-app/server.c
gcc -static -Os -o "$work/my-app/sleep" sandbox/image/lesson-images/my-app/sleep.c
lesson_image my-app "$work/my-app/Dockerfile" "$work/my-app" my-app:latest localhost:5000/my-app:latest

step "2/4 Lesson images: debian (minbase) and nginx, with mmdebstrap"
slim=(--variant=minbase --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')
mmdebstrap -q "${slim[@]}" bookworm "$work/debian/rootfs.tar"
lesson_image debian sandbox/image/lesson-images/debian.Dockerfile "$work/debian" debian:bookworm debian:12 debian:latest
mmdebstrap -q "${slim[@]}" --include=nginx-light bookworm "$work/nginx/rootfs.tar"
lesson_image nginx sandbox/image/lesson-images/nginx.Dockerfile "$work/nginx" nginx:latest nginx:1.22
docker save -o "$work/stage/lesson-images.tar" "${lesson_tags[@]}"
info "lesson-images.tar: $(du -h "$work/stage/lesson-images.tar" | cut -f1)"

step "3/4 Machine root filesystem (mmdebstrap + provision.sh)"
cp sandbox/image/provision.sh "$work/stage/"
packages=systemd-sysv,dbus,docker.io,containerd,runc,docker-registry,iproute2,iptables,procps,psmisc,util-linux,kmod,jq,tree,strace,curl,ca-certificates,busybox-static,dtach,less,vim-tiny,nano,bash-completion,file,lsof,iputils-ping,netcat-openbsd,libcap2-bin,socat
mmdebstrap -q --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='mkdir -p "$1/tmp/unboxed"' \
  --customize-hook="sync-in $work/stage /tmp/unboxed" \
  --customize-hook='chroot "$1" bash /tmp/unboxed/provision.sh' \
  --customize-hook='mv "$1/tmp/unboxed/lesson-images.tar" "$1/tmp/unboxed/lesson-images.list" "$1/usr/share/unboxed/"' \
  --customize-hook='rm -rf "$1/tmp/unboxed"' \
  bookworm "$work/machine.tar"
info "root filesystem: $(du -h "$work/machine.tar" | cut -f1)"

step "4/4 Importing $tag"
docker import \
  --change 'ENV container=docker' \
  --change 'CMD ["/sbin/init"]' \
  --change "LABEL unboxed.recipe=$hash" \
  "$work/machine.tar" "$tag" >/dev/null
# Older machine images are replaced, not accumulated; running machines keep theirs.
docker images --format '{{.Repository}}:{{.Tag}}' unboxed-machine | grep -vx "$tag" | xargs -r docker rmi >/dev/null 2>&1 || true
info "built $tag"
