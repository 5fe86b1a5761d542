#!/bin/bash
# The profile kills the process on mkdir (SCMP_ACT_KILL) instead of making the call fail with EPERM.
set -eu
cat > /root/no-mkdir.json <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL" } ] }
JSON
docker run -d --name no-mkdir --security-opt seccomp=/root/no-mkdir.json busybox sleep 3600
