#!/bin/bash
# Mounted in the machine's shell, then unshare: the new namespace copied the mount, and
# the machine has it too.
set -eu
mount -t tmpfs scratch /mnt
setsid unshare --mount sleep 3600 </dev/null >/dev/null 2>&1 &
sleep 1
