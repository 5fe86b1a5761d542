#!/bin/bash
# The profile blocks mkdirat, but busybox's mkdir calls mkdir.
set -eu
cat > /root/no-mkdir.json <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }
JSON
docker run -d --name no-mkdir --security-opt seccomp=/root/no-mkdir.json busybox sleep 3600
