#!/bin/bash
set -eu
docker create --name box busybox sleep 3600
docker start box
