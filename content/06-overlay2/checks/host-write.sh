#!/bin/bash
# A file written into edit's upper layer from the machine shows inside edit: the same
# text in the folder on the machine and through the container's own root; no image layer
# has it.
assert_container_state "edit is running" edit running "docker run -d --name edit debian sleep 3600"
upper=$(container_get edit '{{.GraphDriver.Data.UpperDir}}')
lowers=$(container_get edit '{{.GraphDriver.Data.LowerDir}}')
expected="hello from the machine"
assert_equal "edit's upper layer holds from-machine.txt" "$expected" "$(cat "${upper:-/nonexistent}/from-machine.txt" 2>/dev/null || echo "no ${upper:-upper layer}/from-machine.txt")" \
  "echo '$expected' > \$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' edit)/from-machine.txt"
pid=$(container_pid edit)
inside="edit is not running"
if [ -n "$pid" ] && [ "$pid" != 0 ]; then inside=$(cat "/proc/$pid/root/from-machine.txt" 2>/dev/null || echo "no /from-machine.txt inside edit"); fi
assert_equal "edit sees it as /from-machine.txt" "$expected" "$inside" \
  "Write into the upper layer of edit itself, the folder docker inspect names for it"
in_lower=""
IFS=: read -ra layers <<<"$lowers"
for layer in "${layers[@]}"; do
  if [ -e "$layer/from-machine.txt" ]; then in_lower=$layer; break; fi
done
assert "no image layer has it" "$([ -z "$in_lower" ] && echo true || echo false)" \
  "from-machine.txt in no lower layer" "${in_lower:-in none}" \
  "A file in a lower layer shows in every container of the image: remove it there, write into UpperDir"
