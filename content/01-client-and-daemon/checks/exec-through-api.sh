#!/bin/bash
# from-curl runs; an exec of `touch /tmp/made-by-api`, created and started through the API
# with a bare {"Cmd": …} body, ran to exit 0 in it; and the file is in its filesystem.
# (Run by the checks engine after lib/checks/check.sh, which defines the assert_* helpers.)
assert_container_state "from-curl is running" from-curl running \
  "Create and start from-curl first (the exercises above)"
pid=$(container_pid from-curl)
[ -n "$pid" ] && [ "$pid" != 0 ] || exit
id=$(container_get from-curl '{{.Id}}')

# The file, read through the kernel's view of the container's root (not with an exec of our own).
assert_file "/tmp/made-by-api exists inside from-curl" "/proc/$pid/root/tmp/made-by-api" \
  "POST /containers/from-curl/exec registers the command; POST /exec/<Id>/start runs it"

# Execs of that exact command, from dockerd's events (kept in memory since it started),
# then each one's record: whether it ran, its exit code, and whether its client asked to
# attach stdout and stderr, as the docker CLI's exec always does. dockerd forgets a
# finished exec after 5 to 10 minutes.
runs=""
for exec_id in $(docker events --since 0 --until "$(date +%s.%N)" --filter "container=$id" --filter event=exec_create \
  --format '{{.Actor.Attributes.execID}} {{.Action}}' 2>/dev/null | awk '$3 == "touch" && $4 == "/tmp/made-by-api" && NF == 4 { print $1 }'); do
  record=$(curl -s --max-time 2 --unix-socket /var/run/docker.sock "http://localhost/exec/$exec_id/json" |
    jq -r 'if .ID then "exit=\(.ExitCode) attached=\(.OpenStdout or .OpenStderr)" else "forgotten" end' 2>/dev/null)
  runs="$runs${runs:+, }${exec_id:0:12}: ${record:-forgotten}"
done
assert_match "an exec of touch /tmp/made-by-api ran through the API, nothing attached" ': exit=0 attached=false' \
  "${runs:-no exec of touch /tmp/made-by-api in from-curl}" \
  "With curl: POST /containers/from-curl/exec with just {\"Cmd\": …}, then POST /exec/<Id>/start with -d '{}'. attached=true means docker exec ran it; exit=null, that it never started; forgotten, that it must run again"
