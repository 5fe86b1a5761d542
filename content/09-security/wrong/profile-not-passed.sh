#!/bin/bash
# The profile is written, but the container runs with Docker's default one.
set -eu
cat > /root/no-mkdir.json <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }
JSON
docker run -d --name no-mkdir busybox sleep 3600
