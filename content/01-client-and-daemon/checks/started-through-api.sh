#!/bin/bash
# The container from-curl, created through the API, is running: the daemon says so, and
# the kernel runs its sleep 3600 under the PID the daemon reports.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

# See created-through-api.sh: fields the docker CLI fills in and a bare JSON body does not.
cli_defaults() { container_get "$1" 'restart={{json .HostConfig.RestartPolicy.Name}} dns={{json .HostConfig.Dns}}'; }

assert_container_state "from-curl is running" from-curl running \
  "POST /containers/from-curl/start starts it"
pid=$(container_pid from-curl)
[ -n "$pid" ] && [ "$pid" != 0 ] || exit
assert_match "the kernel runs from-curl's sleep 3600 as PID $pid" '^sleep 3600 $' "$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")"
assert_equal "from-curl is the container you created through the API" 'restart="" dns=null' "$(cli_defaults from-curl)" \
  'docker run made it with the CLI: docker rm -f from-curl, create it with curl, then POST /containers/from-curl/start'
