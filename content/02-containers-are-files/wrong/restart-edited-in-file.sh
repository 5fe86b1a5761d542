#!/bin/bash
# The restart policy written into hostconfig.json by hand: dockerd keeps its own copy in
# memory, and docker inspect (and the next write of the file) still say "no".
set -eu
docker run -d --name tagged -e GREETING=hello busybox sleep 3600
file=/var/lib/docker/containers/$(docker inspect -f '{{.Id}}' tagged)/hostconfig.json
jq -c '.RestartPolicy = {"Name": "on-failure", "MaximumRetryCount": 3}' "$file" > "$file.new"
mv "$file.new" "$file"
