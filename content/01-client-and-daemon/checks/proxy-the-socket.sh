#!/bin/bash
# A socat process listens on /tmp/proxy.sock, forwards to dockerd's socket, and keeps
# listening after serving a connection (the docker CLI opens a new one per command).
listener() {
  ss -xlpn 2>/dev/null | awk '$5 == "/tmp/proxy.sock" { print $NF }'
}
owner=$(listener)
assert_match "socat listens on /tmp/proxy.sock" '"socat"' "${owner:-nothing listens on /tmp/proxy.sock}" \
  "socat -v UNIX-LISTEN:/tmp/proxy.sock,fork UNIX-CONNECT:/var/run/docker.sock"
[ -n "$owner" ] || exit
answer=$(curl -q -s --max-time 3 --unix-socket /tmp/proxy.sock http://localhost/_ping 2>/dev/null)
assert_equal "dockerd answers through the proxy (GET /_ping)" OK "${answer:-no answer}" \
  "The proxy must forward to /var/run/docker.sock (UNIX-CONNECT:/var/run/docker.sock)"
sleep 0.2
owner=$(listener)
assert_match "the proxy still listens after a connection" '"socat"' "${owner:-socat exited after one connection}" \
  "Add ,fork to UNIX-LISTEN so socat serves every connection"
