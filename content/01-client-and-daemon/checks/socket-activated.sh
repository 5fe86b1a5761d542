#!/bin/bash
# dockerd was stopped after the machine booted and came back on a connection to its
# socket: systemd's docker.socket kept listening through the stop, and dockerd now serves
# that very socket (-H fd://) rather than one of its own. Only systemd and the kernel are
# asked: a request to the socket from here would itself wake the daemon.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)

# Properties of the two units, as service_X and socket_X (timestamps: µs since boot, and readable).
props=(ActiveState ActiveEnterTimestamp ActiveEnterTimestampMonotonic InactiveEnterTimestamp
  InactiveEnterTimestampMonotonic ExecMainStartTimestampMonotonic MainPID)
for unit in service socket; do
  while IFS='=' read -r key value; do printf -v "${unit}_$key" '%s' "$value"; done \
    < <(systemctl show "docker.$unit" "${props[@]/#/-p}")
done

# socket_fds PID: the inodes of the sockets a process holds open.
socket_fds() {
  local fd
  for fd in /proc/"$1"/fd/*; do readlink "$fd"; done 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort
}

stopped=${service_InactiveEnterTimestampMonotonic:-0}
assert "docker.service was stopped since the machine booted" "$([ "$stopped" -gt 0 ] && echo true || echo false)" \
  "a stop of docker.service" "$([ "$stopped" -gt 0 ] && echo "stopped at $service_InactiveEnterTimestamp" || echo "running since boot")" \
  "systemctl stop docker.service (only the service: leave docker.socket alone)"
[ "$stopped" -gt 0 ] || exit

assert "docker.socket kept listening through the stop" \
  "$([ "$socket_ActiveState" = active ] && [ "${socket_ActiveEnterTimestampMonotonic:-0}" -lt "$stopped" ] && echo true || echo false)" \
  "docker.socket active since before the stop" "docker.socket $socket_ActiveState since $socket_ActiveEnterTimestamp" \
  "Stop only docker.service: with docker.socket stopped too, nothing listens to wake the daemon"

assert "docker.service came back after the stop" \
  "$([ "$service_ActiveState" = active ] && [ "${service_ExecMainStartTimestampMonotonic:-0}" -gt "$stopped" ] && echo true || echo false)" \
  "docker.service active again" "docker.service $service_ActiveState since $service_ActiveEnterTimestamp" \
  "Connect to the socket (curl --unix-socket /var/run/docker.sock http://localhost/_ping): systemd starts dockerd for it"

# The listening socket bound at the daemon's path that systemd (PID 1) holds, and whether
# the service's dockerd holds it too.
listening=$(awk '$4 == "00010000" && ($8 == "/run/docker.sock" || $8 == "/var/run/docker.sock") { print $7 }' /proc/net/unix | sort)
systemd_socket=$(comm -12 <(echo "$listening") <(socket_fds 1) | head -1)
main=${service_MainPID:-0}
shared=""
if [ "$main" -gt 0 ] && [ -n "$systemd_socket" ]; then shared=$(socket_fds "$main" | grep -x "$systemd_socket"); fi
assert "dockerd (PID $main) serves the socket systemd holds" "$([ -n "$shared" ] && echo true || echo false)" \
  "socket:[${systemd_socket:-?}] open in PID 1 and in dockerd" \
  "$([ -n "$shared" ] && echo "socket:[$shared] in both" || echo "dockerd does not hold systemd's socket")" \
  "dockerd -H fd:// takes its socket from systemd; one started by hand makes its own"
