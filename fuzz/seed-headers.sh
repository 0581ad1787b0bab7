#!/bin/sh
# Fills fuzz/corpus/<target>/ for the header, Accept, expiration and Basic auth targets from
# fuzz/seeds/<target>/ (spec examples, the headers glpi-agent sent in the wire captures),
# plus, when ../shared is present, the captured request headers. Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for target in headers accept expiration basic_auth; do
    mkdir -p "$here/corpus/$target"
    cp "$here/seeds/$target/"* "$here/corpus/$target/"
done
readme="$here/../../shared/corpus/wire/README.md"
[ -f "$readme" ] || readme="$here/../../../shared/corpus/wire/README.md"
if [ -f "$readme" ]; then
    # Each captured "Name: value" header line becomes a Name=value seed.
    grep -E '^    [A-Za-z-]+: ' "$readme" | sed -E 's/^    ([A-Za-z-]+): /\1=/' | sort -u |
        while IFS= read -r line; do
            name=$(printf '%s' "$line" | cksum | cut -d' ' -f1)
            printf '%s' "$line" > "$here/corpus/headers/wire-$name"
        done
fi
echo "seeded: headers accept expiration basic_auth"
