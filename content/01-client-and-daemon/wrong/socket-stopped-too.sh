#!/bin/bash
# Both the socket and the service stopped, then the service started by hand: systemd
# made a new socket, and no connection ever woke the daemon.
set -eu
systemctl stop docker.socket docker.service
systemctl start docker.service
