#!/bin/bash
# The container web's network namespace has 10.123.0.1 on its loopback; the machine's does not.
assert_container_state "web is running" web running "docker run -d --name web nginx"
pid=$(container_pid web)
inside="web is not running"
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
  inside=$(nsenter -t "$pid" -n ip -o -4 addr show dev lo 2>/dev/null | awk '{ print $4 }' | paste -sd ' ')
fi
assert_match "web's loopback has 10.123.0.1" '(^| )10\.123\.0\.1/' "$inside" \
  "nsenter -t <web's PID> -n ip addr add 10.123.0.1/32 dev lo (the PID is in docker inspect)"
machine=$(ip -o -4 addr show dev lo | awk '{ print $4 }' | paste -sd ' ')
assert "the machine's own loopback does not" "$([[ " $machine" == *" 10.123.0.1/"* ]] && echo false || echo true)" \
  "no 10.123.0.1 on the machine's lo" "$machine" \
  "Without -n the command ran in the machine's network namespace: ip addr del 10.123.0.1/32 dev lo, then use nsenter"
