# unboxed "what changed" snapshot. Sent on stdin and run as root inside the learner's
# machine (lib/changes/snapshot.ts) when a command ends: it records the machine's state,
# compares it with the state recorded after the previous command, and prints the lines
# that differ ("-" before, "+" now), then the context needed to explain them.
#
# Arguments: STATE_DIR MAX_LINES fresh|keep ROOT... [-- IGNORE_PATH...] (fresh: forget the
# last state, as when the watched paths changed)
#
# State records, one per line, tab-separated (paths are printed as find prints them):
#   F path type mode size mtime link   a file under a watched root (directories: type and mode)
#   P pid start ppid comm cmdline      a process (pid + start ticks is its identity)
#   M mountpoint fstype source options a mount of the machine's own mount namespace
#   C hierarchy path                   a cgroup (v1: per hierarchy; v2: "unified")
#   L hierarchy path kind value        a memory, pids or cpu limit of a cgroup ("max": none)
#   N type:[inode]                     a namespace other than PID 1's
#   I name master                      a network interface of the machine
#   D id name                          a Docker container, by id and name
#   A alias id                         another id of a container's: its layer, its network namespace handle
# Context after the differences (the state now):
#   T pid ppid comm                    every process, for parent chains
#   K type:[inode] pid...              the processes in each namespace other than PID 1's
# First run: no earlier state, it prints "baseline" only. A longer difference prints
# MAX_LINES lines and "truncated TOTAL".
set -u
export LC_ALL=C
state=$1 max=$2 mode=$3
shift 3
roots=() ignores=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do roots+=("$1"); shift; done
[ $# -gt 0 ] && shift && ignores=("$@")

mkdir -p -m 0700 "$state"
next=$state/next
last=$state/last
[ "$mode" = fresh ] && rm -f "$last" "$state/containers"

# This script's own processes (itself and the exec chain that started it) are not the
# learner's: their PIDs are left out.
declare -A own=()
p=$$
while [ -n "$p" ] && [ "$p" -gt 1 ]; do
  own[$p]=1
  read -r line <"/proc/$p/stat" || break
  line=${line##*) }
  read -r _ p _ <<<"$line"
done

# Watched roots that exist, each once (/var/run is a link to /run), none inside another.
real=()
for root in "${roots[@]}"; do
  r=$(realpath -e "$root" 2>/dev/null) || continue
  real+=("$r")
done
kept=()
while IFS= read -r r; do
  [ -n "$r" ] || continue
  inside=false
  for k in "${kept[@]}"; do [[ $r == "$k" || $r == "$k"/* ]] && inside=true; done
  $inside || kept+=("$r")
done < <(printf '%s\n' "${real[@]}" | sort -u)

files() {
  [ ${#kept[@]} -gt 0 ] || return 0
  local prune=(-path "$state")
  local i
  for i in "${ignores[@]}"; do prune+=(-o -path "$i"); done
  # An image layer's files never change: a layer shows as its folder. A container's own
  # layer (the upperdir of its overlay) is listed in full below.
  find "${kept[@]}" -xdev \( "${prune[@]}" \) -prune -o \
    \( -path '*/overlay2/*/diff' -printf 'F\t%p\td\t%m\t\t\t\n' -prune \) -o \
    \( -type d -printf 'F\t%p\td\t%m\t\t\t\n' \) -o \
    -printf 'F\t%p\t%y\t%m\t%s\t%T@\t%l\n' 2>/dev/null
  # One find for every container layer inside a watched root (a find per layer would fork
  # once per container).
  local upper uppers=()
  while IFS= read -r upper; do
    for k in "${kept[@]}"; do [[ $upper == "$k"/* ]] && uppers+=("$upper") && break; done
  done < <(awk '$9 == "overlay" { n = split($11, o, ","); for (i = 1; i <= n; i++) if (o[i] ~ /^upperdir=/) print substr(o[i], 10) }' /proc/1/mountinfo)
  [ ${#uppers[@]} -gt 0 ] || return 0
  find "${uppers[@]}" -xdev -mindepth 1 \( -type d -printf 'F\t%p\td\t%m\t\t\t\n' \) -o -printf 'F\t%p\t%y\t%m\t%s\t%T@\t%l\n' 2>/dev/null
}

# Processes (P), and the context table (T) written to $1. Left out: this script's own,
# and the platform's: the machine agent that runs checks and snapshots (a bash started as
# "unboxed-agent", sandbox/agent.ts) and check runs (a bash started as "unboxed-checks",
# lib/checks/run.ts), with everything under them, which may run while a command ends.
processes() {
  local d pid line comm rest ppid start p hops
  local -a args
  local -A parent=() name=() record=() platform=()
  : >"$1"
  # This function runs in a subshell of the pipeline below: that one is ours too.
  own[$BASHPID]=1
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ -n "${own[$pid]:-}" ] && continue
    read -r line <"$d/stat" 2>/dev/null || continue
    comm=${line#*(}
    comm=${comm%) *}
    rest=${line##*) }
    read -r _ ppid _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ <<<"$rest"
    # Kernel threads (a VM's kthreadd and its children) are the kernel's, not the learner's.
    [ "$pid" = 2 ] || [ "$ppid" = 2 ] && continue
    args=()
    mapfile -d '' -t args <"$d/cmdline" 2>/dev/null
    # Started by this script's chain (the agent's other commands too), or the platform's by name.
    [ -n "${own[$ppid]:-}" ] && platform[$pid]=1
    case ${args[5]:-} in unboxed-checks | unboxed-agent) platform[$pid]=1 ;; esac
    args="${args[*]}"
    args=${args//[[:cntrl:]]/ }
    parent[$pid]=$ppid
    name[$pid]=$comm
    record[$pid]="$pid"$'\t'"$start"$'\t'"$ppid"$'\t'"$comm"$'\t'"${args:0:300}"
  done
  for pid in "${!record[@]}"; do
    p=$pid hops=0
    while [ -n "$p" ] && [ "$p" -gt 1 ] && [ "$hops" -lt 64 ] && [ -z "${platform[$p]:-}" ]; do
      p=${parent[$p]:-}
      hops=$((hops + 1))
    done
    [ -n "${platform[$p]:-}" ] && continue
    printf 'P\t%s\n' "${record[$pid]}"
    printf 'T\t%s\t%s\t%s\n' "$pid" "${parent[$pid]}" "${name[$pid]}" >>"$1"
  done
}

mounts() {
  awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { printf "M\t%s\t%s\t%s\t%s\n", $5, $(i + 1), $(i + 2), $(i + 3); break } }' /proc/1/mountinfo
}

# Cgroups (C) by hierarchy and path, and the memory, pids and cpu limits set in them (L):
# one find and one awk for all, since v1 has a dozen hierarchies of hundreds of folders.
cgroups() {
  local depth=2 v2=0
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then depth=1 v2=1; fi
  # v1: /sys/fs/cgroup/HIERARCHY/PATH; cpu and cpuacct are links to "cpu,cpuacct", which
  # find does not follow.
  find /sys/fs/cgroup -mindepth "$depth" -type d -printf '%P\n' 2>/dev/null |
    awk -v v2="$v2" '{ if (v2) print "C\tunified\t/" $0; else { h = $0; sub(/\/.*/, "", h); p = substr($0, length(h) + 1); print "C\t" h "\t" p } }'
  find /sys/fs/cgroup -mindepth "$depth" \( -name memory.max -o -name memory.limit_in_bytes -o -name pids.max -o -name cpu.max -o -name cpu.cfs_quota_us \) \
    -exec awk -v v2="$v2" 'FNR == 1 {
      path = FILENAME; sub(/^\/sys\/fs\/cgroup\//, "", path)
      file = path; sub(/.*\//, "", file); sub(/\/[^\/]*$/, "", path)
      if (v2) { h = "unified"; p = "/" path } else { h = path; sub(/\/.*/, "", h); p = substr(path, length(h) + 1) }
      value = $0
      if (file == "memory.limit_in_bytes" && value >= 9223372036854000000) value = "max"
      if (file == "cpu.cfs_quota_us" && value == -1) value = "max"
      kind = file; sub(/\..*/, "", kind)
      print "L\t" h "\t" (p == "" ? "/" : p) "\t" kind "\t" value
    }' {} + 2>/dev/null
}

# Namespaces (N) other than PID 1's, and the context table (K) of their members written to $1.
namespaces() {
  find /proc/[0-9]*/ns -maxdepth 1 -type l -printf '%h %l\n' 2>/dev/null |
    awk -v roots="$(find /proc/1/ns -type l -printf '%l ')" -v own="${!own[*]} $BASHPID" '
      BEGIN { split(roots, r, " "); for (i in r) root[r[i]] = 1; split(own, o, " "); for (i in o) mine[o[i]] = 1 }
      $2 != "" && !($2 in root) { pid = $1; sub(/^\/proc\//, "", pid); sub(/\/ns$/, "", pid); if (!(pid in mine)) print $2, pid }' |
    sort -k1,1 -k2,2n |
    awk -v ctx="$1" '{ if ($1 != last) { if (last != "") print "K\t" last "\t" members >ctx; print "N\t" $1; last = $1; members = $2 } else members = members " " $2 }
      END { if (last != "") print "K\t" last "\t" members >ctx }'
}

interfaces() {
  local dev
  declare -A master=()
  while IFS=$'\t' read -r dev link; do master[${dev%/}]=${link##*/}; done < <(find /sys/class/net/*/ -maxdepth 1 -name master -printf '%h\t%l\n' 2>/dev/null)
  for dev in /sys/class/net/*; do
    [ -e "$dev" ] || continue
    printf 'I\t%s\t%s\n' "${dev##*/}" "${master[$dev]:-}"
  done
}

# Containers (D), and other names of theirs (A): the id of their layer (the overlay's
# folder) and of their network namespace handle, so those can be shown by container name.
containers() {
  local configs=(/var/lib/docker/containers/*/config.v2.json) f layer key cached=
  [ -e "${configs[0]}" ] || return 0
  # jq (the slowest step) only when a container's config changed since the last snapshot:
  # its lines are kept with the configs' change times and sizes.
  key=$(stat -c '%n %.9Y %s' "${configs[@]}" 2>/dev/null)
  [ -f "$state/containers" ] && IFS= read -r -d '' cached <"$state/containers"
  if [ -n "$cached" ] && [ "${cached%%$'\n'#*}" = "$key" ]; then
    printf '%s' "${cached#*$'\n'#$'\n'}"
  else
    {
      printf '%s\n#\n' "$key"
      jq -r '"D\t\(.ID)\t\(.Name | ltrimstr("/"))", (.NetworkSettings.SandboxKey // "" | select(. != "") | "A\t\(split("/") | last)\t\(input_filename | split("/") | .[-2])")' "${configs[@]}" 2>/dev/null
    } >"$state/containers"
    IFS= read -r -d '' cached <"$state/containers"
    printf '%s' "${cached#*$'\n'#$'\n'}"
  fi
  for f in /var/lib/docker/image/overlay2/layerdb/mounts/*/mount-id; do
    [ -r "$f" ] || continue
    read -r layer <"$f"
    f=${f%/mount-id}
    printf 'A\t%s\t%s\n' "$layer" "${f##*/}"
  done
}

{
  files
  processes "$state/context.T"
  mounts
  cgroups
  namespaces "$state/context.K"
  interfaces
  containers
} | sort -u >"$next"

if [ ! -f "$last" ]; then
  mv "$next" "$last"
  echo baseline
  exit 0
fi
diff=$state/diff
# comm -3: lines only before (column 1) or only now (column 2, after a tab).
comm -3 "$last" "$next" | sed -e 's/^\t/+/' -e 't' -e 's/^/-/' >"$diff"
mv "$next" "$last"
total=$(wc -l <"$diff")
head -n "$max" "$diff"
[ "$total" -gt "$max" ] && printf 'truncated\t%s\n' "$total"
if [ "$total" -gt 0 ]; then
  cat "$state/context.T" "$state/context.K" 2>/dev/null
  grep -E '^[DA]' "$last"
fi
exit 0
