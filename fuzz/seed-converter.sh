#!/bin/sh
# Fills fuzz/corpus/converter with XML inventories: the sample, the wire captures, the
# converter's rule cases and, when present, the shared corpus.
#   sh fuzz/seed-converter.sh  (from the repository root or from fuzz/)
# Seeds over 64 KiB are left out: they slow every run and add no new structure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared="$root/../shared/corpus"
out="$root/fuzz/corpus/converter"
mkdir -p "$out"
n=0
for f in "$root"/samples/*.xml "$root"/tests/data/wire/*/*.xml "$root"/tests/data/xml/*.xml "$shared"/xml/*.xml \
    "$shared"/wire/*/*.xml; do
    [ -f "$f" ] || continue
    [ "$(wc -c < "$f")" -le 65536 ] || continue
    n=$((n + 1))
    cp "$f" "$out/seed-$n.xml"
done
# The rule cases, one file each, when PHP is there to write them.
if command -v php >/dev/null 2>&1; then
    php -r '
        require $argv[1] . "/php-tests/support/ConverterCases.php";
        foreach (ConverterCases::rules() as $name => $xml) {
            file_put_contents($argv[2] . "/case-" . preg_replace("/[^a-z0-9-]/", "_", $name) . ".xml", $xml);
        }' "$root" "$out"
fi
echo "converter: $(ls "$out" | wc -l) seeds"
