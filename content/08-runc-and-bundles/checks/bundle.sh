#!/bin/bash
# /root/bundle is an OCI bundle: a runtime spec (config.json) whose root.path holds
# busybox's files, exported from a container.
bundle=/root/bundle
assert_file "the bundle has a config.json" "$bundle/config.json" \
  "runc spec writes config.json into the folder you run it in: cd /root/bundle first"
version=$(jq -r '.ociVersion // empty' "$bundle/config.json" 2>/dev/null)
assert_match "config.json is an OCI runtime spec" '^1\.' "${version:-no ociVersion in $bundle/config.json}" \
  "Start from runc spec, and keep the file valid JSON when you edit it: jq '…' config.json > config.new && mv config.new config.json"
root=$(jq -r '.root.path // empty' "$bundle/config.json" 2>/dev/null)
case $root in
  /*) ;;
  '') root=$bundle/rootfs ;;
  *) root=$bundle/$root ;;
esac
assert_file "the spec's root filesystem holds busybox's files" "$root/bin/busybox" \
  "docker export writes a container's merged files as one tar; unpack it into the bundle's rootfs/ (docker save writes image layers instead)"
