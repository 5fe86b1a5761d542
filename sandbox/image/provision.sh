#!/bin/bash
# Provisions a learner machine: run as root inside the machine's root filesystem, by the
# image builder (in a chroot) and by every other way of making a machine (the Vagrantfile).
# It must work without network and without a running systemd.
set -euo pipefail

# Systemd in a container or a microVM: nothing waits for a network that is not there,
# and no getty fights the terminal for the console.
systemctl mask systemd-networkd-wait-online.service systemd-networkd.service \
  console-getty.service getty@tty1.service systemd-logind.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_reap.service >/dev/null 2>&1 || true
# Boot time is a learner's wait: nothing on the way to dockerd that a learner machine
# does not use (huge pages, fuse and kernel debug mounts, utmp records, a journal on disk).
systemctl mask dev-hugepages.mount sys-fs-fuse-connections.mount sys-kernel-config.mount sys-kernel-debug.mount \
  sys-kernel-tracing.mount systemd-update-utmp.service systemd-update-utmp-runlevel.service \
  systemd-journal-flush.service >/dev/null 2>&1 || true
# Generators for what a learner machine never has (encrypted, verity or GPT-discovered
# disks, hibernation, SysV scripts without units, rc.local, kernel-command-line units):
# each is an exec at every boot, before any unit starts.
install -d /etc/systemd/system-generators
for generator in cryptsetup integritysetup veritysetup gpt-auto hibernate-resume debug rc-local system-update run sysv; do
  ln -sf /dev/null "/etc/systemd/system-generators/systemd-$generator-generator"
done
install -d /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' >/etc/systemd/journald.conf.d/unboxed.conf

# The lesson images, loaded once into this machine's own /var/lib/docker.
install -d /usr/share/unboxed /usr/local/lib/unboxed
install -m 0644 /dev/stdin /etc/systemd/system/unboxed-images.service <<'UNIT'
[Unit]
Description=Load the lesson images into the machine's Docker engine
After=docker.service
Requires=docker.service
ConditionPathExists=!/var/lib/docker/.unboxed-images-loaded

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/lib/unboxed/load-images

[Install]
WantedBy=multi-user.target
UNIT

install -m 0755 /dev/stdin /usr/local/lib/unboxed/load-images <<'LOAD'
#!/bin/sh
# Loads the lesson images under their private build tags, gives them the names lessons
# use (busybox, debian, nginx, my-app), and drops the build tags.
set -e
docker load -q -i /usr/share/unboxed/lesson-images.tar >/dev/null
while read -r private names; do
  for name in $names; do docker tag "$private" "$name"; done
  docker rmi "$private" >/dev/null
done </usr/share/unboxed/lesson-images.list
touch /var/lib/docker/.unboxed-images-loaded
LOAD

# The platform's readiness probe, one exec per start: the machine is ready once its dockerd
# answers and the lesson images are loaded. It polls without starting a process per look
# (read -t on a pipe it holds both ends of), since a booting machine on a full host pays
# for every exec; docker.socket then holds curl's one connection until dockerd serves it.
# Once ready it prints when systemd reached sysinit and started containerd and dockerd
# (monotonic µs), which the platform logs as the boot's phases.
install -m 0755 /dev/stdin /usr/local/lib/unboxed/wait-ready <<'WAIT'
#!/bin/bash
# usage: wait-ready SECONDS; exits 0 when ready, 1 when not within SECONDS.
deadline=$((SECONDS + ${1:-3}))
exec {tick}<> <(:)
until [ -e /var/lib/docker/.unboxed-images-loaded ] && [ -S /run/docker.sock ]; do
  [ "$SECONDS" -lt "$deadline" ] || exit 1
  read -r -t 0.02 -u "$tick" _ || true
done
curl -sf -m "$((deadline - SECONDS + 10))" --unix-socket /run/docker.sock http://docker/_ping -o /dev/null || exit 1
exec systemctl show -p ActiveEnterTimestampMonotonic sysinit.target containerd.service docker.service
WAIT

systemctl enable unboxed-images.service docker.service containerd.service >/dev/null 2>&1
# Installed for lessons that push and pull (systemctl start docker-registry), not run at
# every boot: no lesson uses it yet, and its start was 2% of a machine's boot CPU.
systemctl disable docker-registry.service >/dev/null 2>&1 || true

# The learner's shell: root, bash, a prompt that says whose machine this is.
install -m 0644 /dev/stdin /etc/profile.d/unboxed.sh <<'PROFILE'
# unboxed learner machine
if [ -n "${BASH_VERSION:-}" ] && [ -n "${PS1:-}" ]; then
  PS1='\[\e[1;32m\]root@\h\[\e[0m\] \[\e[1;34m\]\w\[\e[0m\] # '
  # `docker exec` leaves a container machine's shell in the cgroup above the machine's
  # own (shown as /..): the learner's shell moves to the machine's root cgroup, where
  # what they start looks as it would on any host.
  case $(cat /proc/self/cgroup) in */..*) for f in /sys/fs/cgroup/*/cgroup.procs; do echo $$ >"$f"; done 2>/dev/null ;; esac
  # Shell integration, invisible on screen: before each prompt, the command line that just
  # ran (OSC 633;E, as VS Code's terminal reads it; empty for an empty line) and its exit
  # status (OSC 133;D), so the platform re-runs the lesson's checks and shows what the
  # command changed. A new history number tells a command from an empty line.
  __unboxed_command_done() {
    local status=$? entry line=''
    entry=$(HISTTIMEFORMAT='' builtin history 1)
    if [[ $entry =~ ^\ *([0-9]+)\*?\ +(.*)$ ]] && [ "${BASH_REMATCH[1]}" != "${__unboxed_last-}" ]; then
      # The first prompt has no command of this shell yet: the history holds an older one.
      if [ -n "${__unboxed_last+set}" ]; then
        line=${BASH_REMATCH[2]}
        line=${line//\\/\\\\}
        line=${line//;/\\x3b}
        line=${line//[[:cntrl:]]/ }
      fi
      __unboxed_last=${BASH_REMATCH[1]}
    fi
    __unboxed_last=${__unboxed_last-}
    printf '\033]633;E;%s\007\033]133;D;%s\007' "$line" "$status"
  }
  PROMPT_COMMAND="__unboxed_command_done${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
  cd ~ 2>/dev/null || true
fi
PROFILE
install -m 0644 /dev/stdin /etc/motd <<'MOTD'

  This is your own unboxed learner machine: root is yours, Docker runs inside it,
  and nothing you do here touches anyone else. Break it freely; a reset makes a new one.

MOTD

# An image's clones each get their own machine-id at first boot; a machine provisioned
# in place (the Vagrantfile sets UNBOXED_PROVISION_LIVE) keeps the one it has.
if [ -z "${UNBOXED_PROVISION_LIVE:-}" ]; then
  : >/etc/machine-id
  rm -f /var/lib/dbus/machine-id
fi

# Smaller image: no apt lists or docs (no network inside anyway).
rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /var/cache/apt/*.bin
