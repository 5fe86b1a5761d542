#!/bin/bash
# A container named box exists, from busybox, and the daemon keeps its state folder and
# its writable layer.
assert_container "a container named box exists" box "docker create --name box busybox sleep 3600"
id=$(container_get box '{{.Id}}')
[ -n "$id" ] || exit
assert_match "box is made from busybox" '^busybox(:latest)?$' "$(container_get box '{{.Config.Image}}')"
assert_file "the daemon keeps box's config.v2.json" "/var/lib/docker/containers/$id/config.v2.json"
assert_file "box has a writable layer (layerdb/mounts/<id>/mount-id)" "/var/lib/docker/image/overlay2/layerdb/mounts/$id/mount-id" \
  "docker create prepares the layer; it is named in /var/lib/docker/image/overlay2/layerdb/mounts/"
