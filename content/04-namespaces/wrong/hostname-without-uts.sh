#!/bin/bash
# --uts forgotten: PID 1 of a new PID namespace, but hostname renames the whole machine.
set -eu
setsid unshare --pid --fork --mount-proc sh -c 'hostname lab; exec sleep 3600' </dev/null >/dev/null 2>&1 &
sleep 1
