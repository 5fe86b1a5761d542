#!/bin/bash
# Passes when the container from-curl is running.
set -u
if ! running=$(docker inspect --format '{{.State.Running}}' from-curl 2>/dev/null); then
  echo "expected a container named from-curl, found none"
  exit 1
fi
if [ "$running" != true ]; then
  echo "expected from-curl to be running, found state $(docker inspect --format '{{.State.Status}}' from-curl)"
  exit 1
fi
echo "from-curl is running"
