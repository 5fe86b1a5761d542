#!/bin/bash
# docker run makes a new container: the edit landed in that container's upper layer.
set -eu
docker run -d --name edit debian sleep 3600
docker run --rm debian sh -c 'echo edited >> /etc/debian_version'
