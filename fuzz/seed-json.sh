#!/bin/sh
# Seeds fuzz/corpus/json with real JSON bodies (the repo's test data, and the shared
# corpus beside the clone when there is one). Files over 64 KB are left out: they would
# slow every execution. Run from anywhere; safe to run again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/corpus/json"
mkdir -p "$out"
shared="${GAP_SHARED_CORPUS:-$here/../../shared/corpus}"
for f in "$here"/../tests/data/json/*.json "$shared"/*.json "$shared"/inventories/*.json "$shared"/wire/*/*.json; do
    [ -f "$f" ] || continue
    [ "$(wc -c < "$f")" -le 65536 ] || continue
    cp "$f" "$out/$(basename "$f")" && chmod 644 "$out/$(basename "$f")"
done
# A few hand-made traps.
printf '%s' '-0' > "$out/minus-zero"
printf '%s' '{"1":1,"01":2,"-0":3,"":4,"a":5,"a":6}' > "$out/keys"
printf '%s' '"\ud83d\ude00\u0000\/"' > "$out/escapes"
printf '%s' '[1e400,-0.0,9223372036854775808,-9223372036854775808]' > "$out/numbers"
printf '"\377\342\202"' > "$out/bad-utf8"
echo "seeded $(ls "$out" | wc -l) files into $out"
