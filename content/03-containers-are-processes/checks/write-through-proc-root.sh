#!/bin/bash
# /tmp/hello-from-host, containing hello, is in sleeper's own filesystem.
pid=$(container_pid sleeper)
if [ -z "$pid" ] || [ "$pid" = 0 ]; then
  assert_container_state "sleeper is running" sleeper running "Run sleeper first (the exercise above)"
  exit
fi
content=$(cat "/proc/$pid/root/tmp/hello-from-host" 2>/dev/null)
assert_equal "sleeper's /tmp/hello-from-host says hello" hello "${content:-no /tmp/hello-from-host inside sleeper}" \
  "Write it through /proc/$pid/root/tmp/: the host's /tmp is another folder"
