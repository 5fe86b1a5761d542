#!/bin/bash
# A process "sleep 4242" runs inside the Docker container web, added by runc exec on
# Docker's runc root. runc exec gives it all that runc gave web's own process (cgroup,
# namespaces, capabilities, seccomp filter); it starts outside the container; and the
# shim, which starts every exec that comes through containerd or dockerd, has no record
# of it. Each of these is the kernel's view held against another record.
# The candidates are judged with bash builtins only: under a VM without hardware
# acceleration every program started costs a tenth of a second.

# One docker inspect for all three (each costs ~0.1 s, a second under emulation).
read -r state id init <<<"$(container_get web '{{.State.Status}} {{.Id}} {{.State.Pid}}')"
assert "web is running" "$([ "$state" = running ] && echo true || echo false)" "web is running" "${state:-no container named web}" \
  "docker run -d --name web busybox sleep 3600"
[ "${init:-0}" = 0 ] && init=""
namespaces="pid mnt net ipc uts cgroup"

# same_namespaces PID_A PID_B: true when the two share every namespace in $namespaces
# (-ef compares the namespaces' inodes).
same_namespaces() {
  local ns
  for ns in $namespaces; do [[ /proc/$1/ns/$ns -ef /proc/$2/ns/$ns ]] || return 1; done
}
# read_process PID: sets cgroups (the whole /proc/PID/cgroup), parent (PPid) and spec
# (what runc sets from the spec's process: bounding set and seccomp filters).
read_process() {
  local key value bnd="" filters=""
  cgroups="" parent=""
  { IFS= read -r -d '' cgroups < "/proc/$1/cgroup"
    while read -r key value; do
      case $key in
        PPid:) parent=$value ;;
        CapBnd:) bnd=$value ;;
        Seccomp_filters:) filters=$value ;;
      esac
    done < "/proc/$1/status"; } 2>/dev/null
  spec="CapBnd ${bnd:-?}, ${filters:-?} seccomp filters"
}

web_spec="those of web's process"
if [ -n "$init" ]; then
  read_process "$init"
  web_cgroups=$cgroups web_spec=$spec
fi
# The processes containerd's shim knows in web, each with its exec id ("-" for none).
declare -A started_by_shim=()
while read -r p info; do
  [[ $p =~ ^[0-9]+$ ]] && started_by_shim[$p]=$info
done <<<"$(ctr --connect-timeout 2s -n moby tasks ps "${id:-none}" 2>/dev/null)"

# Of all the "sleep 4242" processes, judge the one that comes closest.
best="" best_score=-1
for p in $(pgrep -xf 'sleep 4242'); do
  read_process "$p"
  in_web=false same_spec=false from_outside=false not_by_shim=false
  if [ -n "$init" ]; then
    [ "$cgroups" = "$web_cgroups" ] && same_namespaces "$p" "$init" && in_web=true
    [ "$spec" = "$web_spec" ] && same_spec=true
    [[ /proc/${parent:-0}/ns/pid -ef /proc/$init/ns/pid ]] || from_outside=true
  fi
  [ "${started_by_shim[$p]:-}" = - ] && not_by_shim=true
  score=0
  for v in $in_web $same_spec $from_outside $not_by_shim; do [ "$v" = true ] && score=$((score + 1)); done
  if [ "$score" -gt "$best_score" ]; then
    best=$p best_score=$score best_parent=$parent best_spec=$spec
    best_in_web=$in_web best_same_spec=$same_spec best_from_outside=$from_outside best_not_by_shim=$not_by_shim
  fi
done

hint_exec="runc --root <Docker's runc root> exec -d <web's full id> sleep 4242; the shim's options.json names the root, add /moby"
if [ -z "$best" ]; then
  assert "sleep 4242 runs in web's cgroup and namespaces" false "a process sleep 4242 in web" "no process sleep 4242" "$hint_exec"
  exit
fi

if [ -n "$init" ]; then
  web_where="cgroup $(cgroup_dir "$init" pids) and namespaces $namespaces of web's PID $init"
  if same_namespaces "$best" "$init"; then best_ns="web's namespaces"; else best_ns="namespaces of its own"; fi
else
  web_where="web's cgroup and namespaces" best_ns="no web to compare with"
fi
assert "sleep 4242 runs in web's cgroup and namespaces" "$best_in_web" "$web_where" \
  "PID $best in cgroup $(cgroup_dir "$best" pids), $best_ns" \
  "runc exec puts the process in the container's cgroup and every one of its namespaces (nsenter joins only the namespaces): $hint_exec"
assert "sleep 4242 has web's capabilities and seccomp filter" "$best_same_spec" \
  "$web_spec, as runc applies them from web's config.json" "$best_spec" \
  "runc exec applies the spec's capabilities and seccomp profile; nsenter keeps your shell's: $hint_exec"
parent_comm=$(cat "/proc/${best_parent:-0}/comm" 2>/dev/null)
where=$([ "$best_from_outside" = true ] && echo outside || echo inside)
assert "sleep 4242 was started from outside web" "$best_from_outside" \
  "a parent outside web's PID namespace (runc exits; PID 1 of the machine adopts the process)" \
  "parent PID ${best_parent:-?} (${parent_comm:-gone}), $where web" \
  "A process that web's own programs start (sh -c 'sleep 4242 &' in docker exec or in web's command) has a parent inside web: $hint_exec"
exec_id=${started_by_shim[$best]:-}
if [ -n "$exec_id" ]; then shim_says="PID $best: $exec_id"; else shim_says="PID $best is not among web's processes in ctr -n moby tasks ps"; fi
assert "the shim did not start sleep 4242" "$best_not_by_shim" \
  "PID $best in ctr -n moby tasks ps with no exec id (containerd and dockerd never heard of it)" "$shim_says" \
  "docker exec and ctr tasks exec both go through containerd to the shim, which records the exec: call runc yourself"
