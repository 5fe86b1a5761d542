#!/bin/bash
# A container named from-curl exists, made from busybox running `sleep 3600`, and it was
# created by a request of the learner's own rather than by the docker CLI.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

# The docker CLI sends a full HostConfig with defaults filled in (RestartPolicy "no",
# Dns []); a body of just Image and Cmd leaves them out, and dockerd stores what came.
# Starting the container does not change either field.
cli_defaults() { container_get "$1" 'restart={{json .HostConfig.RestartPolicy.Name}} dns={{json .HostConfig.Dns}}'; }

assert_container "a container named from-curl exists" from-curl \
  "Create it with POST /containers/create?name=from-curl"
[ -n "$(container_get from-curl '{{.Id}}')" ] || exit
assert_match "from-curl is made from busybox" '^busybox(:latest)?$' "$(container_get from-curl '{{.Config.Image}}')" \
  'Put "Image": "busybox" in the JSON body'
assert_equal "from-curl runs sleep 3600" '["sleep","3600"]' "$(container_get from-curl '{{json .Config.Cmd}}')" \
  'Put "Cmd": ["sleep", "3600"] in the JSON body'
assert_equal "from-curl came from your own request, not the docker CLI" 'restart="" dns=null' "$(cli_defaults from-curl)" \
  'The docker CLI fills in RestartPolicy "no" and Dns []: docker rm -f from-curl, then POST a body of just Image and Cmd with curl'
