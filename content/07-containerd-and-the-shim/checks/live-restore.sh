#!/bin/bash
# The running dockerd has live-restore on. Asked of the daemon, not read from daemon.json:
# a file that was never applied changes nothing.
assert_equal "the running dockerd has live-restore enabled" true "$(docker info --format '{{.LiveRestoreEnabled}}' 2>/dev/null)" \
  'Write {"live-restore": true} to /etc/docker/daemon.json, then systemctl restart docker: dockerd reads that file only when it starts or reloads'
