#!/bin/bash
# The command was left out: box runs busybox's default, sh, not sleep 3600.
set -eu
docker create --name box busybox
