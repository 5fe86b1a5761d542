#!/bin/bash
# /tmp/hello-from-host, containing hello, is in sleeper's own filesystem, and it was
# written from the host: the kernel's time of its last change (ctime) falls in no docker
# exec that could have written it and next to no docker cp into sleeper.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
pid=$(container_pid sleeper)
if [ -z "$pid" ] || [ "$pid" = 0 ]; then
  assert_container_state "sleeper is running" sleeper running "Run sleeper first (the exercise above)"
  exit
fi
file=/proc/$pid/root/tmp/hello-from-host
content=$(cat "$file" 2>/dev/null)
assert_equal "sleeper's /tmp/hello-from-host says hello" hello "${content:-no /tmp/hello-from-host inside sleeper}" \
  "Write it through /proc/$pid/root/tmp/: the host's /tmp is another folder"
[ -n "$content" ] || exit

changed=$(stat -c %.9Z "$file")
changed=${changed/./}
# Who could have written it, from dockerd's events (ns): a docker cp into sleeper, whose
# extract-to-dir comes right after the files it wrote; or a docker exec that ran across
# that moment and either has ended (a command such as sh -c 'echo … >') or is a shell
# still open. A long-running exec of anything else (sleep 7777) is no writer.
writer=$(docker events --since 0 --until "$(date +%s.%N)" --filter "container=$(container_get sleeper '{{.Id}}')" \
  --filter event=exec_start --filter event=exec_die --filter event=extract-to-dir \
  --format '{{.TimeNano}} id={{index .Actor.Attributes "execID"}} {{.Action}}' 2>/dev/null |
  awk -v t="$changed" -v slack=50000000 '
    BEGIN { t += 0 }  # a number, not a string: mawk would compare the long digits as text
    { at = $1 + 0; exec_id = substr($2, 4); action = substr($0, length($1) + length($2) + 3) }
    action ~ /^exec_start: / { started[exec_id] = at; command[exec_id] = substr(action, 13) }
    action == "exec_die" { ended[exec_id] = at }
    action == "extract-to-dir" && t >= at - 2000000000 && t <= at + slack { copied = 1 }
    END {
      if (copied) { print "docker cp"; exit }
      for (e in started) {
        shell = command[e] ~ /^([^ ]*\/)?(sh|ash|bash|dash)( |$)/
        if (t >= started[e] - slack && ((e in ended) ? t <= ended[e] + slack : shell)) { print "docker exec sleeper " command[e]; exit }
      }
    }')
assert "the file was written from the host, not by docker exec or docker cp" "$([ -z "$writer" ] && echo true || echo false)" \
  "written outside any docker exec or docker cp" "${writer:+last written by }${writer:-written from the host}" \
  "echo hello > /proc/$pid/root/tmp/hello-from-host from the machine's shell (close any docker exec session into sleeper first)"
