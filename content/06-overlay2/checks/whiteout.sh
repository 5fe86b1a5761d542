#!/bin/bash
# /etc/issue was deleted inside edit: a whiteout (character device 0:0) in the upper
# layer hides the image's copy, which is still there.
assert_container "a container named edit exists" edit "docker run -d --name edit debian sleep 3600"
upper=$(container_get edit '{{.GraphDriver.Data.UpperDir}}')
lowers=$(container_get edit '{{.GraphDriver.Data.LowerDir}}')
entry=${upper:-/nonexistent}/etc/issue
found=$(stat -c '%F %t:%T' "$entry" 2>/dev/null)
assert_equal "edit's upper layer has a whiteout for /etc/issue" "character special file 0:0" "${found:-nothing at $entry}" \
  "Delete the file from inside edit with rm; an emptied file is not a deleted one"
original=""
IFS=: read -ra layers <<<"$lowers"
for layer in "${layers[@]}"; do
  if [ -e "$layer/etc/issue" ]; then original=$layer/etc/issue; break; fi
done
assert "the image layer still has /etc/issue" "$([ -n "$original" ] && echo true || echo false)" \
  "etc/issue in one of edit's lower layers" "${original:-in none of them}" \
  "Lower layers are read-only to the container; deleting there from the machine breaks the image for every container"
