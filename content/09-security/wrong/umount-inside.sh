#!/bin/bash
# The masks unmounted from inside, with CAP_SYS_ADMIN added for it: the kernel shows no
# masks, but Docker still records them, and the container holds a capability it should not.
set -eu
docker run -d --name unmasked --cap-add SYS_ADMIN busybox sh -c \
  'for m in $(awk '"'"'$5 ~ /^\/proc\/./ || $5 == "/sys/firmware" { print $5 }'"'"' /proc/self/mountinfo); do umount "$m"; done; exec sleep 3600'
