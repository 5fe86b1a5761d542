#!/bin/bash
# A hostname of its own, but no new PID namespace: the shell is not PID 1 of anything.
set -eu
setsid unshare --uts --fork sh -c 'hostname lab; exec sleep 3600' </dev/null >/dev/null 2>&1 &
sleep 1
