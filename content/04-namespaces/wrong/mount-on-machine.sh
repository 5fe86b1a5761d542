#!/bin/bash
# Mounted in the machine's own mount namespace: every process sees it.
set -eu
mount -t tmpfs scratch /mnt
