#!/bin/bash
# box is running, and containerd holds an OCI bundle for it whose records agree with the
# daemon's: init.pid is the PID dockerd reports, and config.json's root is box's merged
# overlay.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

{ read -r status; read -r id; read -r pid; read -r merged; } < <(container_get box \
  '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.State.Pid}}{{"\n"}}{{.GraphDriver.Data.MergedDir}}')
assert_equal "box is running" running "${status:-no container named box}" "docker start box"
[ "${status:-}" = running ] || exit
bundle=$(bundle_dir "$id")
assert "containerd holds box's OCI bundle" "$([ -n "$bundle" ] && echo true || echo false)" \
  "a folder named after box's id, with config.json, under /run" "${bundle:-no bundle}" \
  "The bundle exists only while the container runs: start box, then look under /run/containerd"
[ -n "$bundle" ] || exit
assert_equal "the bundle's init.pid is box's PID" "$pid" "$(cat "$bundle/init.pid" 2>/dev/null)"
assert_equal "config.json's root.path is box's merged overlay" "$merged" "$(jq -r .root.path "$bundle/config.json" 2>/dev/null)"
