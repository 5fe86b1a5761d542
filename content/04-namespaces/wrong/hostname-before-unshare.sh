#!/bin/bash
# hostname lab ran in the machine's shell before unshare: the new UTS namespace copied the
# name, and the machine is renamed too.
set -eu
hostname lab
setsid unshare --uts --pid --fork --mount-proc bash -c 'sleep 3600 & wait' </dev/null >/dev/null 2>&1 &
sleep 1
