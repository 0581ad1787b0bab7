#!/bin/sh
# Fills fuzz/corpus/<target> with seeds from tests/data and, when present, ../shared/corpus.
#   sh fuzz/seed.sh            (from the repository root or from fuzz/)
# Seeds over 64 KiB are left out: they slow every run and add no new structure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data="$root/tests/data"
shared="$root/../shared/corpus"
max=65536

small() { [ "$(wc -c < "$1")" -le "$max" ]; }

# decompress: a selector byte, then the body. Selectors: 0 none, 1 zlib, 2 gzip, 3 br, 4 deflate
# (plus multiples of 5 for other levels in the round trip).
out="$root/fuzz/corpus/decompress"; mkdir -p "$out"
n=0
seed() { # selector file
    if small "$2"; then
        n=$((n + 1))
        { printf "\\$(printf %03o "$1")"; cat "$2"; } > "$out/seed-$n"
    fi
}
for f in "$data"/wire/*/*.zlib "$data"/php/*.zlib; do seed 1 "$f"; seed 31 "$f"; done
for f in "$data"/php/*.gz "$data"/other/*.gz; do seed 2 "$f"; done
for f in "$data"/other/*.br; do seed 3 "$f"; seed 48 "$f"; done
for f in "$data"/php/*.deflate; do seed 4 "$f"; seed 44 "$f"; done
for f in "$data"/wire/*/*.json "$data"/wire/*/*.xml; do seed 0 "$f"; done
if [ -d "$shared/inventories" ]; then
    for f in "$shared"/inventories/*.json; do seed 0 "$f"; seed 1 "$f"; done
fi

# content_type: header values.
out="$root/fuzz/corpus/content_type"; mkdir -p "$out"
i=0
for h in "application/json" "application/xml" "text/plain" "" "application/x-compress-zlib" \
    "application/x-zlib" "application/x-compress-gzip" "application/x-gzip" \
    "application/x-compress-deflate" "application/x-deflate" "application/x-compress-br" \
    "application/x-br" "Application/JSON; charset=UTF-8" " application/x-compress-zlib ;q=1" \
    "multipart/form-data; boundary=x" "application/x-compress"; do
    i=$((i + 1)); printf '%s' "$h" > "$out/header-$i"
done
for f in "$data"/wire/glpi-agent/03-contact.request.zlib "$data"/php/gzencode-1.gz; do
    i=$((i + 1)); head -c 16 "$f" > "$out/body-$i"
done

# xml: documents.
out="$root/fuzz/corpus/xml"; mkdir -p "$out"
for f in "$data"/wire/*/*.xml "$data"/xml/*.xml; do
    small "$f" && cp "$f" "$out/$(basename "$(dirname "$f")")-$(basename "$f")"
done
printf '<?xml version="1.0" encoding="UTF-8"?>\n<REQUEST><QUERY>PROLOG</QUERY><DEVICEID>a&amp;b&#233;<![CDATA[c]]></DEVICEID></REQUEST>\n' > "$out/refs.xml"
printf '\357\273\277<REQUEST><!-- c --><?pi x?><QUERY a="1"/></REQUEST>' > "$out/bom.xml"
printf '\377\376<\000R\000/\000>\000' > "$out/utf16.xml"
printf '<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>' > "$out/dtd.xml"
# The big inventory, cut to the size limit: a long well-formed prefix.
head -c "$max" "$data"/wire/fusioninventory-agent/02-inventory-xml.request.xml > "$out/inventory-prefix.xml"

for t in decompress content_type xml; do
    echo "$t: $(ls "$root/fuzz/corpus/$t" | wc -l) seeds"
done

# request: a selector byte (content type in the low nibble, agent id in the high one), then
# the raw body as an agent sends it.
out="$root/fuzz/corpus/request"; mkdir -p "$out"
n=0
for f in "$data"/wire/*/*.zlib; do
    small "$f" || continue
    n=$((n + 1)); { printf '\021'; cat "$f"; } > "$out/seed-$n"
done
for f in "$data"/wire/*/*.json; do
    small "$f" || continue
    n=$((n + 1)); { printf '\020'; cat "$f"; } > "$out/seed-$n"
done
for f in "$data"/wire/*/*.xml; do
    small "$f" || continue
    n=$((n + 1)); { printf '\007'; cat "$f"; } > "$out/seed-$n"
done
