#!/bin/bash
# What a learner machine needs to be a VM rather than a container: a kernel and an
# initramfs, its own root filesystem and network set-up, and an SSH server the platform
# reaches it through. Runs as root in the machine's root filesystem (after provision.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

apt-get update -q >/dev/null
# xfsprogs: the docker driver's disk pool, for the suite that proves that driver on this
# cgroup v2 kernel (sandbox/qemu/docker-on-cgroup-v2.machine.test.ts).
apt-get install -y -q --no-install-recommends linux-image-amd64 initramfs-tools udev openssh-server xfsprogs >/dev/null
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*

echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >/etc/fstab

# User-mode networking: the platform forwards one host loopback port to :22; the VM has
# no route anywhere else (qemu's restrict=on).
install -m 0644 /dev/stdin /etc/systemd/system/unboxed-net.service <<'UNIT'
[Unit]
Description=The learner machine's link to the platform (SSH only)
DefaultDependencies=no
Before=network.target ssh.service
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/sbin/ip link set lo up
ExecStart=/sbin/ip link set eth0 up
ExecStart=/sbin/ip addr add 10.0.2.15/24 dev eth0

[Install]
WantedBy=multi-user.target
UNIT

# The platform's key arrives on the kernel command line of the one boot that makes the
# host's golden state; every machine restored from it gets its own key right away.
install -m 0644 /dev/stdin /etc/systemd/system/unboxed-ssh-key.service <<'UNIT'
[Unit]
Description=Authorize the platform's SSH key and make host keys
Before=ssh.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'install -d -m 0700 /root/.ssh; for w in $$(cat /proc/cmdline); do case $$w in unboxed.ssh_key=*) echo "$${w#unboxed.ssh_key=}" | base64 -d >/root/.ssh/authorized_keys;; esac; done; test -e /etc/ssh/ssh_host_ed25519_key || ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'

[Install]
WantedBy=multi-user.target
UNIT
rm -f /etc/ssh/ssh_host_*
install -m 0644 /dev/stdin /etc/ssh/sshd_config.d/unboxed.conf <<'CONF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
MaxSessions 64
MaxStartups 64:30:128
CONF
passwd -l root >/dev/null

# The balloon reports free runs from 128 KiB, not only 2 MiB ones, which memory freed by a
# page cache rarely forms (idle VM after a container run: 620 → 450 MiB resident). Written
# once the balloon's driver is bound: Debian 12's kernel (6.1) sets the order of its own
# when the driver registers, over the boot parameter of that name.
install -m 0644 /dev/stdin /etc/udev/rules.d/60-unboxed-page-reporting.rules <<'RULES'
ACTION=="bind", SUBSYSTEM=="virtio", DRIVER=="virtio_balloon", RUN+="/bin/sh -c 'echo 5 >/sys/module/page_reporting/parameters/page_reporting_order'"
RULES

systemctl enable unboxed-net.service unboxed-ssh-key.service ssh.service >/dev/null 2>&1
# A VM has a real clock and console; the container-only cgroup unit does nothing here.
systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1 || true
