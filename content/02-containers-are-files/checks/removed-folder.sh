#!/bin/bash
# The daemon removed a container named gone (a destroy event), and its folder and
# writable layer went with it.
id=$(docker events --since 0 --until "$(date +%s.%N)" --filter type=container --filter event=destroy \
  --format '{{.Actor.Attributes.name}} {{.ID}}' 2>/dev/null | awk '$1 == "gone" { id = $2 } END { print id }')
assert "dockerd removed a container named gone" "$([ -n "$id" ] && echo true || echo false)" \
  "a destroy event for gone" "$([ -n "$id" ] && echo "destroyed ${id:0:12}" || echo "no container named gone was removed")" \
  "docker create --name gone busybox, then docker rm gone"
if [ -n "$id" ]; then
  assert_no_file "its folder is gone" "/var/lib/docker/containers/$id"
  assert_no_file "its writable layer is gone" "/var/lib/docker/image/overlay2/layerdb/mounts/$id"
fi
