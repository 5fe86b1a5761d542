#!/bin/bash
# --mount-proc forgotten: the shell is PID 1, but its /proc (and so ps) is the machine's.
set -eu
setsid unshare --uts --pid --fork bash -c 'hostname lab; sleep 3600 & wait' </dev/null >/dev/null 2>&1 &
sleep 1
