#!/bin/bash
# The container from-curl is running.
assert_container_state "from-curl is running" from-curl running \
  "POST /containers/from-curl/start starts it"
