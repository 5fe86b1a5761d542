#!/bin/bash
# A `sleep 7777` runs inside sleeper: a child of sleeper's shim, in sleeper's PID namespace.
pid=$(container_pid sleeper)
if [ -z "$pid" ] || [ "$pid" = 0 ]; then
  assert_container_state "sleeper is running" sleeper running "Run sleeper first (the exercise above)"
  exit
fi
shim=$(ps -o ppid= -p "$pid" | tr -d ' ')
sibling=""
for candidate in $(pgrep -x -f 'sleep 7777'); do
  if [ "$(ps -o ppid= -p "$candidate" | tr -d ' ')" = "$shim" ]; then sibling=$candidate; fi
done
assert "sleep 7777 is a child of sleeper's shim ($shim)" "$([ -n "$sibling" ] && echo true || echo false)" \
  "a sleep 7777 process whose parent is PID $shim" \
  "$([ -n "$sibling" ] && echo "PID $sibling" || echo "no sleep 7777 under PID $shim")" \
  "docker exec -d sleeper sleep 7777 runs it inside sleeper"
if [ -n "$sibling" ]; then
  assert_namespace_shared "sleep 7777 is in sleeper's PID namespace" "$pid" "$sibling" pid
fi
