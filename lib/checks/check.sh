# unboxed check library. The checks engine (lib/checks/run.ts) sends it ahead of every
# check script on the check's stdin, so a learner's root cannot swap it for one that
# always passes, and runs both under a fixed environment: PATH=/usr/sbin:/usr/bin:/sbin:/bin,
# no profile, nothing of the learner's shell.
#
# Every assert_* prints one line: the run's nonce (UNBOXED_NONCE, read from stdin before
# this library), a space, and a JSON object {name, pass, expected, actual, hint?}. Only
# lines with the nonce count: an assertion without it came from something else in the
# machine, and the run is an error. At exit the script's status is 1 if any assertion
# failed, 0 if all passed; any other status, or a line that is not an assertion, is
# reported to the author as a broken check.
# Prefer kernel and daemon state (docker inspect, /proc, /sys/fs/cgroup, mountinfo,
# runc state) over files a learner could simply write.

set -u
UNBOXED_FAILED=0

_unboxed_finish() {
  local code=$1
  if [ "$code" -eq 0 ] && [ "$UNBOXED_FAILED" -eq 1 ]; then code=1; fi
  exit "$code"
}
trap '_unboxed_finish $?' EXIT

# _json_string VAR TEXT: sets VAR to TEXT as a JSON string, by bash alone, without a
# fork (a jq per assertion cost about 17 ms, and checks run after every command). Control
# characters other than newline, carriage return and tab become spaces.
_json_string() {
  local s=$2
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  s=${s//[[:cntrl:]]/ }
  printf -v "$1" '"%s"' "$s"
}

# assert NAME PASS(true|false) EXPECTED ACTUAL [HINT]: the primitive every helper uses.
assert() {
  local name=$1 pass=$2 expected=$3 actual=$4 hint=${5:-} n e a h=""
  case $pass in
    true) ;;
    false) UNBOXED_FAILED=1 ;;
    *) echo "assert: PASS must be true or false, not '$pass'" >&2; exit 3 ;;
  esac
  _json_string n "$name"
  _json_string e "$expected"
  _json_string a "$actual"
  if [ -n "$hint" ]; then _json_string h "$hint"; h=",\"hint\":$h"; fi
  # printf is bash's own: no other program ever sees the nonce.
  printf '%s {"name":%s,"pass":%s,"expected":%s,"actual":%s%s}\n' "$UNBOXED_NONCE" "$n" "$pass" "$e" "$a" "$h"
}

_bool() { if "$@"; then echo true; else echo false; fi; }

# assert_equal NAME EXPECTED ACTUAL [HINT]
assert_equal() {
  assert "$1" "$(_bool [ "$2" = "$3" ])" "$2" "$3" "${4:-}"
}

# assert_match NAME EXTENDED_REGEX ACTUAL [HINT]
assert_match() {
  local pass=false
  [[ $3 =~ $2 ]] && pass=true
  assert "$1" "$pass" "matches /$2/" "$3" "${4:-}"
}

# assert_file NAME PATH [HINT]: PATH exists.
assert_file() {
  if [ -e "$2" ]; then assert "$1" true "$2 exists" "$2 exists" "${3:-}"; else assert "$1" false "$2 exists" "no such file" "${3:-}"; fi
}

# assert_no_file NAME PATH [HINT]: PATH does not exist.
assert_no_file() {
  if [ -e "$2" ]; then assert "$1" false "no $2" "$2 exists" "${3:-}"; else assert "$1" true "no $2" "no $2" "${3:-}"; fi
}

# proc_status PID FIELD: the last value of a field of /proc/PID/status (PPid, CapEff,
# Seccomp_filters; for NSpid the PID in the process's own namespace), empty when no such
# process.
proc_status() {
  awk -v f="$2:" '$1 == f { print $NF }' "/proc/$1/status" 2>/dev/null
}

# started_by_runtime PID: true when a containerd shim is among the process's ancestors,
# i.e. it belongs to a container, not to something the learner started by hand.
started_by_runtime() {
  local p=$1 comm
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    comm=$(cat "/proc/$p/comm" 2>/dev/null) || return 1
    [[ $comm == containerd-shim* ]] && return 0
    p=$(proc_status "$p" PPid)
  done
  return 1
}

# process_start PID: when the process started, in clock ticks since boot (field 22 of
# /proc/PID/stat); of two processes the smaller started first. Empty when no such process.
process_start() {
  # The command name (field 2) may hold spaces and parentheses: cut after its last ')'.
  sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'
}

# ticks_as_seconds TICKS: clock ticks as seconds of kernel uptime, e.g. "12.34 s".
ticks_as_seconds() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f s", t / hz }'
}

# caps_decode HEX: the capability names in a mask such as CapEff, e.g.
# "cap_chown,cap_kill"; empty for no capability.
caps_decode() {
  capsh --decode="$1" 2>/dev/null | sed 's/^[^=]*=//'
}

# mount_at MOUNTINFO MOUNTPOINT: "FSTYPE SOURCE MOUNT_OPTIONS SUPER_OPTIONS" of the mount
# visible at MOUNTPOINT (the last one mounted there) in a mountinfo file such as
# /proc/PID/mountinfo; empty when nothing is mounted there. Read the four with
# `read -r type source options super <<<"$(mount_at …)"`.
mount_at() {
  awk -v mp="$2" '$5 == mp { for (i = 7; i <= NF; i++) if ($i == "-") { last = $(i + 1) " " $(i + 2) " " $6 " " $(i + 3); break } } END { print last }' "$1" 2>/dev/null
}

# mount_option MOUNTINFO MOUNTPOINT NAME: the value of one super-option (an overlay's
# lowerdir, upperdir, workdir) of the mount visible there.
mount_option() {
  local type source options super
  read -r type source options super <<<"$(mount_at "$1" "$2")"
  tr ',' '\n' <<<"$super" | sed -n "s/^$3=//p"
}

# bundle_dir ID: the OCI bundle of a running container (the folder named after its id that
# holds config.json), under /run/containerd/… or /run/docker/containerd/… depending on how
# dockerd reaches containerd; empty when it has none.
bundle_dir() {
  find /run/containerd /run/docker/containerd -mindepth 2 -maxdepth 7 -type f -path "*/$1/config.json" 2>/dev/null | head -1 | xargs -r dirname
}

# ctr_task NAMESPACE ID: "PID STATUS" of a containerd task; empty when there is none, or
# when containerd is down (ctr would wait 10 s for it: the learner may have stopped it).
ctr_task() {
  pidof -q containerd || return 0
  ctr --connect-timeout 2s -n "$1" tasks ls 2>/dev/null | awk -v id="$2" '$1 == id { print $2, $3 }'
}

# container_get CONTAINER GO_TEMPLATE: a field of `docker inspect`, empty if no such container.
# Whether the container exists is asked first with one small API request (curl, ~8 ms,
# against the docker CLI's ~35 ms) and remembered for the rest of the check: an open
# exercise's container is most often not there yet, and then no CLI runs at all.
container_get() {
  _container_exists "$1" || return 0
  docker inspect --type container --format "$2" "$1" 2>/dev/null
}

# _container_exists CONTAINER: false only when dockerd says 404. The answer is kept in a
# file (UNBOXED_CACHE, the batch's per-check prefix), since callers run in $(…) subshells.
_container_exists() {
  local known= code cache=
  [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || return 0
  [ -n "${UNBOXED_CACHE:-}" ] && cache=${UNBOXED_CACHE}container-$1
  [ -n "$cache" ] && [ -e "$cache" ] && IFS= read -r known <"$cache"
  if [ -z "$known" ]; then
    code=$(curl -q -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket /var/run/docker.sock "http://docker/containers/$1/json" 2>/dev/null)
    if [ "$code" = 404 ]; then known=no; else known=yes; fi
    [ -n "$cache" ] && printf '%s\n' "$known" >"$cache"
  fi
  [ "$known" = yes ]
}

# assert_container NAME CONTAINER [HINT]: the container exists.
assert_container() {
  local id
  id=$(container_get "$2" '{{.Id}}')
  if [ -n "$id" ]; then assert "$1" true "a container named $2" "container $2 (${id:0:12})" "${3:-}"; else assert "$1" false "a container named $2" "no container named $2" "${3:-}"; fi
}

# assert_container_state NAME CONTAINER STATE [HINT]: STATE is created|running|paused|exited|…
assert_container_state() {
  local state
  state=$(container_get "$2" '{{.State.Status}}')
  assert "$1" "$(_bool [ "$state" = "$3" ])" "$2 is $3" "${state:-no container named $2}" "${4:-}"
}

# container_pid CONTAINER: the host-side PID of its main process (0 when not running).
container_pid() {
  container_get "$1" '{{.State.Pid}}'
}

# assert_namespace_differs NAME PID NAMESPACE [HINT]: /proc/PID/ns/NAMESPACE is not PID 1's.
assert_namespace_differs() {
  local mine init
  mine=$(readlink "/proc/$2/ns/$3" 2>/dev/null)
  init=$(readlink "/proc/1/ns/$3")
  if [ -z "$mine" ]; then
    assert "$1" false "PID $2 in its own $3 namespace" "no process $2" "${4:-}"
  else
    assert "$1" "$(_bool [ "$mine" != "$init" ])" "a $3 namespace other than PID 1's ($init)" "$mine" "${4:-}"
  fi
}

# assert_namespace_shared NAME PID_A PID_B NAMESPACE [HINT]: both processes share it.
assert_namespace_shared() {
  local a b
  a=$(readlink "/proc/$2/ns/$4" 2>/dev/null)
  b=$(readlink "/proc/$3/ns/$4" 2>/dev/null)
  assert "$1" "$([ -n "$a" ] && [ "$a" = "$b" ] && echo true || echo false)" "PIDs $2 and $3 in one $4 namespace" "${a:-none} vs ${b:-none}" "${5:-}"
}

# cgroup_dir PID CONTROLLER: the process's cgroup folder for a controller, on cgroup v2
# (unified: one folder) or v1 (one hierarchy per controller).
cgroup_dir() {
  local pid=$1 controller=$2 line
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    line=$(grep '^0::' "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup${line#0::}"
  else
    line=$(grep -E "^[0-9]+:([^:]*,)?$controller(,[^:]*)?:" "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup/$controller${line##*:}"
  fi
}

# cgroup_limit PID memory|pids|cpu: the limit as the kernel holds it, in one form for
# both cgroup versions: memory in bytes, pids as a count, cpu as "QUOTA PERIOD" (µs);
# "max" when unlimited.
cgroup_limit() {
  local pid=$1 kind=$2 dir value
  dir=$(cgroup_dir "$pid" "$kind")
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    case $kind in
      memory) cat "$dir/memory.max" ;;
      pids) cat "$dir/pids.max" ;;
      cpu) cat "$dir/cpu.max" ;;
    esac
  else
    case $kind in
      memory)
        value=$(cat "$dir/memory.limit_in_bytes")
        # v1 reports "no limit" as a huge page-aligned number.
        if [ "$value" -ge 9223372036854000000 ] 2>/dev/null; then echo max; else echo "$value"; fi ;;
      pids) cat "$dir/pids.max" ;;
      cpu)
        dir=$(cgroup_dir "$pid" cpu)
        value=$(cat "$dir/cpu.cfs_quota_us")
        if [ "$value" = -1 ]; then echo "max $(cat "$dir/cpu.cfs_period_us")"; else echo "$value $(cat "$dir/cpu.cfs_period_us")"; fi ;;
    esac
  fi
}

# assert_cgroup_limit NAME CONTAINER memory|pids|cpu EXPECTED [HINT]
assert_cgroup_limit() {
  local pid actual
  pid=$(container_pid "$2")
  if [ -z "$pid" ] || [ "$pid" = 0 ]; then
    assert "$1" false "$3 limit $4 for $2" "$2 is not running" "${5:-}"
    return
  fi
  actual=$(cgroup_limit "$pid" "$3" 2>/dev/null)
  assert "$1" "$(_bool [ "$actual" = "$4" ])" "$3 limit $4" "${actual:-unreadable}" "${5:-}"
}

# assert_overlay NAME CONTAINER [HINT]: the container runs on an overlay whose upperdir
# is the one Docker reports (GraphDriver.Data.UpperDir).
assert_overlay() {
  local merged upper actual
  merged=$(container_get "$2" '{{.GraphDriver.Data.MergedDir}}')
  upper=$(container_get "$2" '{{.GraphDriver.Data.UpperDir}}')
  actual=$(mount_option /proc/self/mountinfo "$merged" upperdir)
  assert "$1" "$([ -n "$upper" ] && [ "$actual" = "$upper" ] && echo true || echo false)" "an overlay at ${merged:-?} with upperdir $upper" "${actual:-no overlay mounted there}" "${3:-}"
}

# assert_runc_state NAME ID STATE [ROOT] [HINT]: `runc state` of a container (ROOT: runc's
# --root; for Docker's containers read it from the bundle's options.json, on our machines
# /run/docker/runtime-runc/moby).
assert_runc_state() {
  local root=${4:-/run/runc} state
  state=$(runc --root "$root" state "$2" 2>/dev/null | jq -r .status)
  assert "$1" "$(_bool [ "$state" = "$3" ])" "runc container $2 $3" "${state:-no runc container $2 under $root}" "${5:-}"
}
