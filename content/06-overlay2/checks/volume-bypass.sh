#!/bin/bash
# store writes /data/note into the named volume data (a folder on the machine, outside
# the overlay) and /tmp/note into its upper layer. The volume's note is one file seen
# from both sides: the same device and inode in the container and under _data.
assert_container_state "store is running" store running "docker run -d --name store -v data:/data debian sleep 3600"
assert_overlay "store's / is its overlay" store "docker run -d --name store … debian sleep 3600"
IFS='|' read -r pid upper mounted source <<<"$(container_get store \
  '{{.State.Pid}}|{{.GraphDriver.Data.UpperDir}}|{{range .Mounts}}{{if eq .Destination "/data"}}{{.Type}} {{.Name}}|{{.Source}}{{end}}{{end}}')"
assert_equal "/data is the named volume data" "volume data" "${mounted:-nothing mounted on /data}" \
  "-v data:/data mounts the volume named data; -v /some/path:/data would be a bind mount, -v /data an anonymous volume"
[ "$mounted" = "volume data" ] || source=""
assert_equal "the volume's folder holds note" hello "$(cat "${source:-/nonexistent}/note" 2>/dev/null || echo "no ${source:-volume data}/note")" \
  "docker exec store sh -c 'echo hello > /data/note'"
inside="store is not running" outside=$(stat -c '%d:%i' "${source:-/nonexistent}/note" 2>/dev/null)
if [ -n "$pid" ] && [ "$pid" != 0 ]; then inside=$(stat -Lc '%d:%i' "/proc/$pid/root/data/note" 2>/dev/null || echo "no /data/note inside store"); fi
assert_equal "store's /data/note is that very file" "${outside:-the note in the volume}" "$inside" \
  "Write it from inside store, into its /data"
assert_no_file "the upper layer has no data/note" "${upper:-/nonexistent}/data/note" \
  "/data was no volume when note was written: run store with -v data:/data, then write again"
assert_equal "the upper layer holds tmp/note" hello "$(cat "${upper:-/nonexistent}/tmp/note" 2>/dev/null || echo "no tmp/note in ${upper:-the upper layer}")" \
  "docker exec store sh -c 'echo hello > /tmp/note': outside the volume, writes land in the upper layer"
