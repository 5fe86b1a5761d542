#!/usr/bin/env bash
# Makes sure this host has a running Docker engine (docker.io from Debian), the
# engine the docker sandbox driver puts learner machines on. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

step "Docker engine on this host"
# golang-github-docker-docker-dev carries Docker's default seccomp profile, which the
# driver extends for the machines' nested runc; xfsprogs makes the pool whose reflinks clone machines' disks.
apt_install docker.io iptables golang-github-docker-docker-dev xfsprogs

# Every machine's systemd, dockerd and containerd hold about 7 inotify instances, all
# counted against root: the kernel's default of 128 stops machines from starting at about the 20th.
# Raised (never lowered) now and at every boot (systemd-sysctl reads sysctl.d).
raise_sysctl() {
  local key=$1 want=$2 have file
  file=/proc/sys/${key//.//}
  have=$(cat "$file")
  if [ "$have" -lt "$want" ]; then
    echo "$want" | as_root tee "$file" >/dev/null
    info "$key raised from $have to $want"
  else
    want=$have
  fi
  echo "$key = $want" | as_root tee -a "$sysctl_conf.new" >/dev/null
}
sysctl_conf=/etc/sysctl.d/60-unboxed-machines.conf
as_root rm -f "$sysctl_conf.new"
raise_sysctl fs.inotify.max_user_instances 8192
raise_sysctl fs.inotify.max_user_watches 1048576
as_root mv "$sysctl_conf.new" "$sysctl_conf"

# live-restore: learner machines keep running while the engine restarts (an upgrade, a
# crash, this script restarting it). Merged into daemon.json, other keys untouched.
daemon_json=/etc/docker/daemon.json
merge_live_restore() {
  local current='' merged merged_rc=0
  [ -f "$daemon_json" ] && current=$(as_root cat "$daemon_json")
  if command -v node >/dev/null; then
    merged=$(printf '%s' "$current" | node -e '
      let text = require("fs").readFileSync(0, "utf8"), config = {};
      try { if (text.trim()) config = JSON.parse(text); } catch (e) { console.error(e.message); process.exit(2); }
      if (typeof config !== "object" || config === null || Array.isArray(config)) process.exit(2);
      if (config["live-restore"] === true) process.exit(3);
      config["live-restore"] = true;
      console.log(JSON.stringify(config, null, 2));') || merged_rc=$?
  else
    merged=$(printf '%s' "$current" | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    config = json.loads(text) if text.strip() else {}
except ValueError as e:
    print(e, file=sys.stderr); sys.exit(2)
if not isinstance(config, dict): sys.exit(2)
if config.get("live-restore") is True: sys.exit(3)
config["live-restore"] = True
print(json.dumps(config, indent=2))') || merged_rc=$?
  fi
  case $merged_rc in
    0) ;;
    3) info "live-restore is on in $daemon_json"; return 0 ;;
    *) die "$daemon_json is not a JSON object; fix it, then run this again" ;;
  esac
  as_root mkdir -p "$(dirname "$daemon_json")"
  printf '%s\n' "$merged" | as_root tee "$daemon_json.new" >/dev/null
  as_root mv "$daemon_json.new" "$daemon_json"
  info "live-restore turned on in $daemon_json"
}
merge_live_restore

docker_answers() { as_root timeout 10 docker info >/dev/null 2>&1; }
containerd_sock=/run/containerd/containerd.sock
# --connect-timeout: a socket file nobody listens on (left by a stopped containerd) fails in 1 s, not 10.
containerd_answers() { as_root timeout 5 ctr --address "$containerd_sock" --connect-timeout 1s version >/dev/null 2>&1; }
containerd_pidfile=/run/unboxed/containerd.pid
docker_pidfile=/var/run/docker.pid

# The pid in FILE if it is the host's NAME daemon. Never found by name alone: every
# learner machine's own dockerd and containerd are visible here as processes too; they
# live in other pid namespaces.
host_daemon_pid() {
  local file=$1 name=$2 pid stat
  pid=$(as_root cat "$file" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  # A zombie has exited: where PID 1 does not reap orphans (a container-like host) it stays.
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != Z* ]] || return 1
  [ "$(as_root readlink "/proc/$pid/ns/pid")" = "$(as_root readlink /proc/self/ns/pid)" ] || return 1
  echo "$pid"
}

# Starts a daemon in a session of its own, stdin from /dev/null, output to LOG: a Ctrl-C
# or a closed terminal in the session that ran this script never reaches it.
start_detached() {
  local pidfile=$1 log=$2
  shift 2
  as_root mkdir -p /run/unboxed /var/log/unboxed
  as_root setsid -f sh -c 'exec </dev/null >>"$2" 2>&1; [ -z "$1" ] || echo $$ >"$1"; shift 2; exec "$@"' sh "$pidfile" "$log" "$@"
}

# wait_for SECONDS CHECK...: true once CHECK succeeds, false if it has not within SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

engine_summary() { as_root docker info --format '{{.ServerVersion}}, cgroup v{{.CgroupVersion}}, {{.Driver}}, live-restore {{.LiveRestoreEnabled}}'; }

if [ -d /run/systemd/system ]; then
  if ! docker_answers; then
    info "starting containerd and docker (systemd)"
    as_root systemctl start containerd docker
  fi
else
  # No systemd as PID 1 (a container-like host): the daemons are ours to start. containerd
  # first, and checked on its own: dockerd answers `docker info` while containerd is down.
  if containerd_answers; then
    info "containerd answers on $containerd_sock"
  else
    if pid=$(host_daemon_pid "$containerd_pidfile" containerd); then
      info "containerd (pid $pid) is running but not answering yet; waiting"
    else
      start_detached "$containerd_pidfile" /var/log/unboxed/containerd.log containerd
      info "started containerd (pid $(as_root cat "$containerd_pidfile"), log /var/log/unboxed/containerd.log)"
    fi
    wait_for 30 containerd_answers || die "containerd did not answer within 30 s; see /var/log/unboxed/containerd.log"
  fi
  if ! docker_answers; then
    if pid=$(host_daemon_pid "$docker_pidfile" dockerd); then
      info "dockerd (pid $pid) is running but not answering yet; waiting"
    else
      # A stale pid file whose pid now belongs to another process makes dockerd refuse to start.
      as_root rm -f "$docker_pidfile"
      start_detached '' /var/log/unboxed/dockerd.log dockerd --containerd="$containerd_sock"
      info "started dockerd (log /var/log/unboxed/dockerd.log)"
    fi
  fi
fi
wait_for 60 docker_answers || die "dockerd did not answer within 60 s; see /var/log/unboxed/dockerd.log (or journalctl -u docker)"

# A dockerd started before daemon.json had live-restore takes it on a reload (SIGHUP), no restart.
if [ "$(as_root docker info --format '{{.LiveRestoreEnabled}}')" != true ]; then
  live_restore_on() { [ "$(as_root docker info --format '{{.LiveRestoreEnabled}}')" = true ]; }
  if [ -d /run/systemd/system ]; then
    as_root systemctl reload docker
  elif pid=$(host_daemon_pid "$docker_pidfile" dockerd); then
    as_root kill -HUP "$pid"
  else
    die "dockerd answers but $docker_pidfile does not name it, so it cannot be reloaded for live-restore: restart it"
  fi
  wait_for 10 live_restore_on || die "dockerd did not turn live-restore on after a reload; see /var/log/unboxed/dockerd.log"
  info "dockerd reloaded: live-restore on"
fi
info "dockerd answers ($(engine_summary))"
