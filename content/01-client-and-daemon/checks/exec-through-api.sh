#!/bin/bash
# from-curl runs, and a command run inside it through the API left /tmp/made-by-api.
assert_container_state "from-curl is running" from-curl running \
  "Create and start from-curl first (the exercises above)"
found=false
if [ "$(container_get from-curl '{{.State.Status}}')" = running ] && docker exec from-curl test -e /tmp/made-by-api 2>/dev/null; then found=true; fi
assert "/tmp/made-by-api exists inside from-curl" "$found" "/tmp/made-by-api in from-curl's filesystem" \
  "$([ "$found" = true ] && echo "it exists" || echo "no such file in from-curl")" \
  "POST /containers/from-curl/exec registers the command; POST /exec/<Id>/start runs it"
