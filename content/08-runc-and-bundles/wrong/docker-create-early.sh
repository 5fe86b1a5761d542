#!/bin/bash
# Docker's "created": dockerd holds a record, but runc has no container early and no process waits.
set -eu
docker create --name early busybox sleep 3600
