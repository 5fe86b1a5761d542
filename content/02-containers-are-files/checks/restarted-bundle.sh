#!/bin/bash
# box was stopped and started again, and its current run has what every run gets anew:
# a bundle on /run, a tmpfs (in memory, gone at the stop), whose init.pid is box's new
# PID; and a network namespace handle in /run/docker/netns, mounted by the kernel, that
# is the namespace box's process lives in.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

{ read -r status; read -r id; read -r pid; read -r key; } < <(container_get box \
  '{{.State.Status}}{{"\n"}}{{.Id}}{{"\n"}}{{.State.Pid}}{{"\n"}}{{.NetworkSettings.SandboxKey}}')
assert_equal "box is running" running "${status:-no container named box}" "docker start box"
[ "${status:-}" = running ] || exit
starts=$(docker events --since 0 --until "$(date +%s.%N)" --filter "container=$id" --filter event=start --format x 2>/dev/null | wc -l)
assert "box was started again after it first ran" "$([ "$starts" -ge 2 ] && echo true || echo false)" \
  "two or more starts of box" "$starts start(s) since dockerd started" \
  "docker restart box stops it and starts it again (docker pause only freezes it)"

bundle=$(bundle_dir "$id")
assert_equal "box's bundle is on a tmpfs" tmpfs "$([ -n "$bundle" ] && stat -fc %T "$bundle" || echo "no bundle")"
assert_equal "the bundle's init.pid is box's current PID" "$pid" "$(cat "$bundle/init.pid" 2>/dev/null)"

# The handle is a bind mount of the namespace (mountinfo: root "net:[INODE]", type nsfs).
key=$(readlink -f "$key")
handle=$(awk -v mp="$key" '$5 == mp { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $4; exit } }' /proc/self/mountinfo)
assert_equal "box's handle $key is its process's network namespace" "nsfs $(readlink "/proc/$pid/ns/net")" "${handle:-not mounted}"
