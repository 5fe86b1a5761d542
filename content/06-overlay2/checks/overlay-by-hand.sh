#!/bin/bash
# An overlay mounted by hand at /tmp/ov/merged: lowers app over base, upper and work
# as given, read from the kernel's mountinfo.
target=/tmp/ov/merged

# The options of the last (visible) mount at the target: "FSTYPE SUPER_OPTIONS".
line=$(awk -v mp="$target" '$5 == mp { for (i = 7; i <= NF; i++) if ($i == "-") { last = $(i + 1) " " $(i + 3) } } END { print last }' /proc/self/mountinfo)
fstype=${line%% *}
options=${line#* }
assert_equal "an overlay is mounted at $target" overlay "${fstype:-nothing mounted}" \
  "mount -t overlay overlay -o lowerdir=…,upperdir=…,workdir=… $target"

# option NAME: its value, each absolute path normalised (trailing slashes and the like).
option() {
  local value part out=""
  value=$(tr ',' '\n' <<<"$options" | sed -n "s/^$1=//p")
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
