#!/bin/bash
# An overlay mounted by hand at /tmp/ov/merged: lowers app over base, upper and work
# as given, read from the kernel's mountinfo.
target=/tmp/ov/merged

read -r fstype _ _ _ <<<"$(mount_at /proc/self/mountinfo "$target")"
assert_equal "an overlay is mounted at $target" overlay "${fstype:-nothing mounted}" \
  "mount -t overlay overlay -o lowerdir=…,upperdir=…,workdir=… $target"

# option NAME: its value, each absolute path normalised (trailing slashes and the like).
option() {
  local value part out=""
  value=$(mount_option /proc/self/mountinfo "$target" "$1")
  IFS=: read -ra parts <<<"$value"
  for part in "${parts[@]}"; do
    [[ $part == /* ]] && part=$(realpath -m "$part")
    out+="${out:+:}$part"
  done
  echo "$out"
}
if [ "$fstype" = overlay ]; then
  lower=$(option lowerdir)
  assert_equal "lowerdir is app over base" /tmp/ov/app:/tmp/ov/base "$lower" \
    "The leftmost lower directory is the top one; use absolute paths"
  assert_equal "upperdir is /tmp/ov/upper" /tmp/ov/upper "$(option upperdir)" "upperdir=/tmp/ov/upper"
  assert_equal "workdir is /tmp/ov/work" /tmp/ov/work "$(option workdir)" "workdir=/tmp/ov/work (an empty folder on the same filesystem as upperdir)"
fi
