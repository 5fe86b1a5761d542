#!/bin/bash
# 8080 on both sides: the proxy forwards to site's port 8080, where nginx does not listen.
set -eu
docker run -d --name site -p 127.0.0.1:8080:8080 nginx
