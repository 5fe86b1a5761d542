#!/bin/bash
# sleep 7777 started in the machine's own shell: a child of that shell, in the machine's
# namespaces, not inside sleeper.
set -eu
docker run -d --name sleeper busybox sleep 3600
setsid -f sleep 7777 </dev/null >/dev/null 2>&1
