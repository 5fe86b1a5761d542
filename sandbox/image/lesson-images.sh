#!/usr/bin/env bash
# Builds the images the lessons use, offline, on the local Docker engine: busybox from
# busybox-static, my-app (two static C programs, FROM scratch, two layers), and debian
# minbase and nginx root filesystems made by mmdebstrap. Writes OUT/lesson-images.tar and
# OUT/lesson-images.list ("private-tag name name…" per line; provision.sh's loader gives
# each image its names inside the machine). Used by build.sh and by the Vagrantfile.
#
#   sandbox/image/lesson-images.sh OUT TAG
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
out=${1:?usage: lesson-images.sh OUT TAG}
tag=${2:?usage: lesson-images.sh OUT TAG}

apt_install mmdebstrap busybox-static gcc libc6-dev
work=$(mktemp -d /var/tmp/unboxed-lessons.XXXXXX)
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
  local private="unboxed-lesson/$name:$tag"
  # The classic builder is enough for FROM scratch and prints its notices on stderr.
  docker build -q -f "$dockerfile" -t "$private" "$context" >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; return 1; }
  lesson_tags+=("$private")
  echo "$private $*" >>"$work/lesson-images.list"
  info "lesson image $name → $*"
}

mkdir -p "$work/busybox/bin" "$work/debian" "$work/nginx" "$work/my-app"

step "Lesson images: busybox and my-app"
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

step "Lesson images: debian (minbase) and nginx, with mmdebstrap"
slim=(--variant=minbase --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')
mmdebstrap -q "${slim[@]}" bookworm "$work/debian/rootfs.tar"
lesson_image debian sandbox/image/lesson-images/debian.Dockerfile "$work/debian" debian:bookworm debian:12 debian:latest
mmdebstrap -q "${slim[@]}" --include=nginx-light bookworm "$work/nginx/rootfs.tar"
lesson_image nginx sandbox/image/lesson-images/nginx.Dockerfile "$work/nginx" nginx:latest nginx:1.22

mkdir -p "$out"
docker save -o "$out/lesson-images.tar" "${lesson_tags[@]}"
mv "$work/lesson-images.list" "$out/lesson-images.list"
info "lesson-images.tar: $(du -h "$out/lesson-images.tar" | cut -f1)"
