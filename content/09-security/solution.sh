#!/bin/bash
set -eu
docker run -d --name bare --cap-drop ALL busybox sleep 3600
docker run -d --name no-chown --cap-drop CHOWN busybox sleep 3600
cat > /root/no-mkdir.json <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" }
  ]
}
JSON
docker run -d --name no-mkdir --security-opt seccomp=/root/no-mkdir.json busybox sleep 3600
docker run -d --name unmasked --security-opt systempaths=unconfined busybox sleep 3600
docker run -d --name readonly --read-only --tmpfs /tmp busybox sleep 3600
