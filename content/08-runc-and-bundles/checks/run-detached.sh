#!/bin/bash
# runc (its default state root, /run/runc) runs hello from /root/bundle: sleep 3600,
# detached, in a UTS namespace named runc-box.
state=$(runc --root /run/runc state hello 2>/dev/null)
# The fix depends on where hello stands: never made, made but waiting, or already ended.
case $(jq -r '.status // empty' <<<"$state" 2>/dev/null) in
  created) fix="hello is created but not started: runc start hello lets its runc init run the spec's args" ;;
  stopped) fix="hello's process has ended: runc delete hello, check .process.args in config.json, then runc run -d hello again" ;;
  *) fix="From /root/bundle: runc run -d hello, once config.json has terminal false and the right args" ;;
esac
assert_runc_state "runc runs hello" hello running /run/runc "$fix"
pid=$(jq -r '.pid // empty' <<<"$state" 2>/dev/null)
bundle=$(jq -r '.bundle // empty' <<<"$state" 2>/dev/null)
assert_equal "hello was made from /root/bundle" /root/bundle "${bundle:-no container hello}" \
  "runc uses the bundle in the current folder (or the one given with -b)"
cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/${pid:-0}/cmdline")
cmd=${cmd% }
if [ "$cmd" = "runc init" ]; then args_fix=$fix; else args_fix='Set .process.args to ["sleep", "3600"] in config.json'; fi
assert_equal "hello's process runs sleep 3600" "sleep 3600" "${cmd:-no process}" "$args_fix"
host=""
[ -n "$pid" ] && [ "$pid" != 0 ] && host=$(nsenter -t "$pid" -u hostname 2>/dev/null)
assert_equal "hello's UTS namespace is named runc-box" runc-box "${host:-no process}" \
  "Set .hostname in config.json before runc run: runc sets it when it makes the namespace"
