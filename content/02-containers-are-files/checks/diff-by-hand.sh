#!/bin/bash
# The articles' method by hand: a marker file older than `docker create --name probe`,
# and /tmp/changed.txt, written after it, listing what find -newer found: probe's
# config.v2.json among it. Times come from the kernel (the files' mtimes, ns) and from
# dockerd (the container's Created).
assert_container "a container named probe exists" probe "docker create --name probe busybox"
id=$(container_get probe '{{.Id}}')
[ -n "$id" ] || exit

created=$(date -d "$(container_get probe '{{.Created}}')" +%s.%N)
marker=$(stat -c %.9Y /tmp/before 2>/dev/null)
listed=$(stat -c %.9Y /tmp/changed.txt 2>/dev/null)
# earlier A B: A is before B (seconds with nanoseconds; awk compares them as numbers).
earlier() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

assert "the marker /tmp/before is older than probe" "$([ -n "$marker" ] && earlier "$marker" "$created" && echo true || echo false)" \
  "/tmp/before modified before probe was created ($created)" "${marker:-no /tmp/before}" \
  "touch /tmp/before first, then docker create --name probe busybox"
assert "/tmp/changed.txt was written after probe was created" "$([ -n "$listed" ] && earlier "$created" "$listed" && echo true || echo false)" \
  "/tmp/changed.txt modified after $created" "${listed:-no /tmp/changed.txt}" \
  "Run find after the command: find /var/lib/docker /run -newer /tmp/before > /tmp/changed.txt"
config=/var/lib/docker/containers/$id/config.v2.json
assert "/tmp/changed.txt lists probe's config.v2.json" "$(grep -qxF "$config" /tmp/changed.txt 2>/dev/null && echo true || echo false)" \
  "a line $config" "$(grep -c . /tmp/changed.txt 2>/dev/null || echo no) lines, without it" \
  "find /var/lib/docker /run -newer /tmp/before > /tmp/changed.txt lists every file newer than the marker"
