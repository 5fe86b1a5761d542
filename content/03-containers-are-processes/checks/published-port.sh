#!/bin/bash
# site runs nginx with its port 80 published on 127.0.0.1:8080, and the kernel agrees with
# the daemon: what listens on 127.0.0.1:8080 is a docker-proxy, a child of dockerd,
# forwarding to site's address and port 80, and nginx answers through it.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
assert_container_state "site is running" site running "docker run -d --name site -p 127.0.0.1:8080:80 nginx"
{ read -r address; read -r image; } < <(container_get site '{{.NetworkSettings.IPAddress}}{{"\n"}}{{.Config.Image}}')
[ -n "${image:-}" ] || exit
assert_match "site is made from nginx" '^nginx(:latest)?$' "$image"

# The listening socket's owner, from the kernel: ss -p reads it from /proc/*/fd.
listener=$(ss -Htlnp 'sport = :8080' 2>/dev/null | awk '$4 == "127.0.0.1:8080" { print $NF }')
proxy=$(sed -n 's/.*"docker-proxy",pid=\([0-9]*\),.*/\1/p' <<< "$listener" | head -1)
assert "a docker-proxy listens on 127.0.0.1:8080" "$([ -n "$proxy" ] && echo true || echo false)" \
  "docker-proxy on 127.0.0.1:8080" "${listener:-nothing listens on 127.0.0.1:8080}" \
  "-p 127.0.0.1:8080:80 publishes site's port 80 on the machine's 127.0.0.1:8080 (host first, container second)"
[ -n "$proxy" ] || exit
dockerd=$(systemctl show docker.service -p MainPID --value)
assert_equal "the proxy is a child of dockerd (PID $dockerd)" "$dockerd" "$(ps -o ppid= -p "$proxy" | tr -d ' ')"
assert_match "the proxy forwards to site's address and port 80" "-container-ip ${address:-none} -container-port 80( |$)" \
  "$(tr '\0' ' ' < "/proc/$proxy/cmdline")" "The container port comes second: -p 127.0.0.1:8080:80"
assert_equal "nginx answers on 127.0.0.1:8080" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:8080/)"
