#!/bin/bash
# edit's upper layer holds a copied-up /etc/debian_version with "edited" appended, and
# the image's layer still holds the original.
assert_container "a container named edit exists" edit "docker run -d --name edit debian sleep 3600"
upper=$(container_get edit '{{.GraphDriver.Data.UpperDir}}')
lowers=$(container_get edit '{{.GraphDriver.Data.LowerDir}}')

# The topmost image layer that has the file (the -init layer never does).
original=""
IFS=: read -ra layers <<<"$lowers"
for layer in "${layers[@]}"; do
  if [ -f "$layer/etc/debian_version" ]; then original=$layer/etc/debian_version; break; fi
done

copy=${upper:-/nonexistent}/etc/debian_version
if [ -f "$copy" ]; then
  assert "edit's upper layer holds a copy of /etc/debian_version" true "a regular file $copy" "$(stat -c '%F, %s bytes' "$copy")"
else
  assert "edit's upper layer holds a copy of /etc/debian_version" false "a regular file in ${upper:-the upper layer}/etc" "no such file" \
    "Change the file from inside edit (docker exec edit …): the first write copies it up"
fi
expected="$(cat "$original" 2>/dev/null)"$'\n'"edited"
assert_equal "the copy is the original with the line edited appended" "$expected" "$(cat "$copy" 2>/dev/null)" \
  "echo edited >> /etc/debian_version inside edit appends; > would replace the file"
assert "the image layer's copy is unchanged" "$(grep -qx edited "$original" 2>/dev/null && echo false || echo true)" \
  "no line edited in ${original:-the image layer}" "$(tr '\n' ' ' 2>/dev/null <"$original")" \
  "Never write into a lower layer: every container of the image shares it. Remove the line you added there"
