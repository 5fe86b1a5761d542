#!/bin/bash
# runc holds early in the state "created": its namespaces exist, and its process is
# still runc init, waiting on exec.fifo for runc start.
state=$(runc --root /run/runc state early 2>/dev/null)
# The fix depends on where early stands: never made, or made and already started.
case $(jq -r '.status // empty' <<<"$state" 2>/dev/null) in
  running | stopped) fix="early has been started: runc kill early KILL; runc delete early; then runc create early, without runc start" ;;
  *) fix="From /root/bundle: runc create early, and do not start it yet" ;;
esac
assert_runc_state "runc holds early, created and not started" early created /run/runc "$fix"
pid=$(jq -r '.pid // empty' <<<"$state" 2>/dev/null)
cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${pid:-0}/cmdline")
cmd=${cmd% }
assert_equal "early's process is still runc init" "runc init" "${cmd:-no process}" \
  "runc create leaves runc init waiting; runc start makes it exec the spec's args"
