#!/usr/bin/env bash
# Makes sure this host has a running Docker engine (docker.io from Debian), the
# engine the docker sandbox driver puts learner machines on. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

step "Docker engine on this host"
# golang-github-docker-docker-dev carries Docker's default seccomp profile, which the
# driver extends for the machines' nested runc.
apt_install docker.io iptables golang-github-docker-docker-dev

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
if docker info >/dev/null 2>&1; then
  info "dockerd answers ($(docker info --format '{{.ServerVersion}}, cgroup v{{.CgroupVersion}}, {{.Driver}}'))"
  exit 0
fi
if [ -d /run/systemd/system ]; then
  as_root systemctl start containerd docker
else
  # No systemd as PID 1 (a container-like host): start the daemons ourselves.
  mkdir -p /var/log/unboxed
  pgrep -x containerd >/dev/null || as_root sh -c 'nohup containerd >/var/log/unboxed/containerd.log 2>&1 &'
  for _ in $(seq 50); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.1; done
  pgrep -x dockerd >/dev/null || as_root sh -c 'nohup dockerd --containerd=/run/containerd/containerd.sock >/var/log/unboxed/dockerd.log 2>&1 &'
fi
for _ in $(seq 150); do
  if docker info >/dev/null 2>&1; then
    info "dockerd answers ($(docker info --format '{{.ServerVersion}}, cgroup v{{.CgroupVersion}}, {{.Driver}}'))"
    exit 0
  fi
  sleep 0.2
done
die "dockerd did not answer within 30 s; see /var/log/unboxed/dockerd.log"
