#!/bin/bash
# runc holds early in the state "created": its namespaces exist, and its process is
# still runc init, waiting on exec.fifo for runc start.
assert_runc_state "runc holds early, created and not started" early created /run/runc \
  "From /root/bundle: runc create early, and do not start it yet"
pid=$(runc --root /run/runc state early 2>/dev/null | jq -r '.pid // empty')
cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${pid:-0}/cmdline")
assert_equal "early's process is still runc init" "runc init" "${cmd% }" \
  "runc create leaves runc init waiting; runc start makes it exec the spec's args"
