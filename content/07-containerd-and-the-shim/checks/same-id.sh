#!/bin/bash
# A task of the learner's in containerd's namespace lab carries the full id of Docker's
# container survivor: the kernel shows two shims with that -id, one per namespace.

read -r state id <<<"$(container_get survivor '{{.State.Status}} {{.Id}}')"
assert "survivor is running" "$([ "$state" = running ] && echo true || echo false)" "survivor is running" "${state:-no container named survivor}" \
  "docker run -d --name survivor busybox sleep 3600"

read -r pid status <<<"$(ctr_task lab "${id:-none}")"
if ! pidof -q containerd; then
  missing="containerd is not running: systemctl start containerd"
else
  missing="no task ${id:0:12}… in namespace lab (its tasks: $(ctr --connect-timeout 2s -n lab tasks ls -q 2>/dev/null | paste -sd ' '))"
fi
assert_equal "containerd runs a task in namespace lab with survivor's id" RUNNING "${status:-$missing}" \
  "Use the full id that survivor's shim names after -id (64 characters), not the name survivor or the 12 that docker ps shows"

# Every shim that names this id, by the namespace it names: Docker's and the learner's.
namespaces=$(for p in $(pgrep -f "^/usr/bin/containerd-shim-runc-v2 .*-id ${id:-none}( |$)"); do
  tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | awk 'after == "-namespace" { print } { after = $0 }'
done | sort | paste -sd ' ')
assert_equal "two shims run with survivor's id, one per namespace" "lab moby" "${namespaces:-no shim with -id ${id:-?}}" \
  "ctr -n lab run -d --snapshotter native docker.io/library/busybox:latest <survivor's full id> sleep 3600"
