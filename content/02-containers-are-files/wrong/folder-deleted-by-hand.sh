#!/bin/bash
# The folder is deleted behind the daemon's back; the container still exists for dockerd.
set -eu
id=$(docker create --name gone busybox)
rm -rf "/var/lib/docker/containers/$id"
