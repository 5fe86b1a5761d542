#!/bin/bash
# --fork forgotten: unshare runs bash in the machine's PID namespace, and only bash's
# first child (here a sleep) becomes PID 1 of the new one.
set -eu
setsid unshare --uts --pid --mount-proc bash -c 'sleep 3600 & hostname lab; wait' </dev/null >/dev/null 2>&1 &
sleep 1
