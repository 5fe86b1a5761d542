#!/bin/bash
# The image sized is busybox plus two layers: one holds the 5 MiB /big, the one above it a
# whiteout for it. Read from Docker's records (RootFS.Layers, the image's size) and from
# the layer folders on disk.
base=$(docker image inspect -f '{{join .RootFS.Layers " "}}' busybox 2>/dev/null)
layers=$(docker image inspect -f '{{join .RootFS.Layers " "}}' sized 2>/dev/null)
if [ -z "$layers" ]; then
  assert "an image named sized exists" false "an image sized" "no image sized" \
    "Write a Dockerfile (FROM busybox and two RUN lines) in an empty folder, then docker build -t sized ."
  exit
fi
read -ra base_layers <<<"$base"
read -ra own_layers <<<"$layers"
added=$((${#own_layers[@]} - ${#base_layers[@]}))
assert "sized is busybox's layers plus two" "$([[ $layers == "$base "* ]] && [ "$added" = 2 ] && echo true || echo false)" \
  "busybox's ${#base_layers[@]} layer(s), then 2 more" "${#own_layers[@]} layers$([[ $layers == "$base "* ]] || echo ", not built on busybox")" \
  "FROM busybox, then one RUN that writes /big and a second RUN that deletes it: each RUN that changes files adds a layer"

# An image's GraphDriver.Data names its top layer's folder (UpperDir) and the others (LowerDir, top first).
top=$(docker image inspect -f '{{.GraphDriver.Data.UpperDir}}' sized)
below=$(docker image inspect -f '{{.GraphDriver.Data.LowerDir}}' sized)
below=${below%%:*}
assert_equal "the layer below the top holds /big, 5 MiB" "regular file 5242880" "$(stat -c '%F %s' "$below/big" 2>/dev/null || echo "no big in ${below:-that layer}")" \
  "The first RUN writes it: dd if=/dev/zero of=/big bs=1M count=5"
assert_equal "the top layer holds a whiteout for big" "character special file 0:0" "$(stat -c '%F %t:%T' "$top/big" 2>/dev/null || echo "no big in ${top:-the top layer}")" \
  "The second RUN deletes the file: RUN rm /big (emptying it is not deleting it)"
grown=$(( $(docker image inspect -f '{{.Size}}' sized) - $(docker image inspect -f '{{.Size}}' busybox) ))
assert "the deleted file still counts in sized's size" "$([ "$grown" -ge 5242880 ] && echo true || echo false)" \
  "at least 5242880 bytes more than busybox" "$grown bytes more" \
  "The 5 MiB stay in the layer that wrote them; a later rm only hides them"
