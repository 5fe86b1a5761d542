#!/bin/bash
# Passes when a container named from-curl exists, made from busybox and running `sleep 3600`.
set -u
if ! image=$(docker inspect --format '{{.Config.Image}}' from-curl 2>/dev/null); then
  echo "expected a container named from-curl, found none"
  exit 1
fi
cmd=$(docker inspect --format '{{json .Config.Cmd}}' from-curl)
case "$image" in
  busybox | busybox:latest) ;;
  *) echo "expected from-curl to use the busybox image, found '$image'"; exit 1 ;;
esac
if [ "$cmd" != '["sleep","3600"]' ]; then
  echo "expected from-curl to run [\"sleep\",\"3600\"], found $cmd"
  exit 1
fi
echo "from-curl exists: image $image, command $cmd"
