#!/bin/bash
# box exists, from busybox running sleep 3600, made by docker create (not docker run), and
# the daemon keeps its state folder and the writable layer its image driver reports.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
assert_container "a container named box exists" box "docker create --name box busybox sleep 3600"
# One question to the daemon for every field the assertions below compare.
{ read -r id; read -r image; read -r cmd; read -r attached; read -r upper; } < <(container_get box \
  '{{.Id}}{{"\n"}}{{.Config.Image}}{{"\n"}}{{json .Config.Cmd}}{{"\n"}}stdout={{.Config.AttachStdout}} stderr={{.Config.AttachStderr}}{{"\n"}}{{.GraphDriver.Data.UpperDir}}')
[ -n "${id:-}" ] || exit
assert_match "box is made from busybox" '^busybox(:latest)?$' "$image" \
  "docker rm -f box, then docker create --name box busybox sleep 3600"
assert_equal "box runs sleep 3600" '["sleep","3600"]' "$cmd" \
  "The command goes after the image: docker create --name box busybox sleep 3600"
# docker create prepares to attach the output, and records it; docker run -d records that
# nobody will attach. The record survives the later start.
assert_equal "box was made by docker create, not docker run -d" "stdout=true stderr=true" "$attached" \
  "docker run -d creates and starts at once: docker rm -f box, then docker create --name box busybox sleep 3600"
assert_file "the daemon keeps box's config.v2.json" "/var/lib/docker/containers/$id/config.v2.json"
assert_file "the daemon keeps box's hostconfig.json" "/var/lib/docker/containers/$id/hostconfig.json"
# Two records of the writable layer: layerdb's mount-id file, and the upper dir Docker reports.
mount_id=$(cat "/var/lib/docker/image/overlay2/layerdb/mounts/$id/mount-id" 2>/dev/null)
assert "box's writable layer is the one layerdb names" \
  "$([ -n "$mount_id" ] && [ "$upper" = "/var/lib/docker/overlay2/$mount_id/diff" ] && echo true || echo false)" \
  "UpperDir /var/lib/docker/overlay2/<mount-id>/diff" "mount-id ${mount_id:-missing}, UpperDir ${upper:-none}" \
  "docker create prepares the layer; layerdb/mounts/<id>/mount-id names its folder in overlay2/"
