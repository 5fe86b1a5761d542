#!/bin/bash
# readonly's root filesystem is mounted read-only, and /tmp is a writable tmpfs.

assert_container_state "readonly is running" readonly running "docker run -d --name readonly … busybox sleep 3600"
pid=$(container_pid readonly)
read -r root_type _ root_opts _ <<<"$(mount_at "/proc/${pid:-0}/mountinfo" /)"
assert_match "readonly's / is mounted read-only" '^ro(,|$)' "${root_opts:-no process}" \
  "--read-only mounts the container's root filesystem read-only"
read -r tmp_type _ tmp_opts _ <<<"$(mount_at "/proc/${pid:-0}/mountinfo" /tmp)"
assert_equal "readonly's /tmp is a tmpfs" tmpfs "${tmp_type:-no mount at /tmp}" \
  "--tmpfs /tmp mounts a fresh tmpfs over /tmp"
assert_match "readonly's /tmp is writable" '^rw(,|$)' "${tmp_opts:-no mount at /tmp}" \
  "A tmpfs from --tmpfs is writable unless you add :ro"
