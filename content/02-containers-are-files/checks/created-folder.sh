#!/bin/bash
# Passes when a container named box exists from busybox and its state folder holds config.v2.json.
set -u
if ! id=$(docker inspect --format '{{.Id}}' box 2>/dev/null); then
  echo "expected a container named box, found none"
  exit 1
fi
image=$(docker inspect --format '{{.Config.Image}}' box)
case "$image" in
  busybox | busybox:latest) ;;
  *) echo "expected box to use the busybox image, found '$image'"; exit 1 ;;
esac
if [ ! -f "/var/lib/docker/containers/$id/config.v2.json" ]; then
  echo "expected /var/lib/docker/containers/$id/config.v2.json, found no such file"
  exit 1
fi
echo "box has its folder /var/lib/docker/containers/$id"
