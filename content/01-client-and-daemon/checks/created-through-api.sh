#!/bin/bash
# A container named from-curl exists, made from busybox, running `sleep 3600`.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
assert_container "a container named from-curl exists" from-curl \
  "Create it with POST /containers/create?name=from-curl"
[ -n "$(container_get from-curl '{{.Id}}')" ] || exit
assert_match "from-curl is made from busybox" '^busybox(:latest)?$' "$(container_get from-curl '{{.Config.Image}}')" \
  'Put "Image": "busybox" in the JSON body'
assert_equal "from-curl runs sleep 3600" '["sleep","3600"]' "$(container_get from-curl '{{json .Config.Cmd}}')" \
  'Put "Cmd": ["sleep", "3600"] in the JSON body'
