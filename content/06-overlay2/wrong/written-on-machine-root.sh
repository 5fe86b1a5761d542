#!/bin/bash
# Written to the machine's own /: a container's / is its overlay, so edit never sees it.
set -eu
docker run -d --name edit debian sleep 3600
echo 'hello from the machine' >/from-machine.txt
