#!/bin/sh
# Seeds fuzz/corpus/validate with inventories (the repo's validation test data, and the
# shared corpus beside the clone when there is one), each prefixed by the byte that picks
# where the target places it inside an inventory. Files over 64 KB are left out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/corpus/validate"
mkdir -p "$out"
shared="${GAP_SHARED_CORPUS:-$here/../../shared/corpus}"
n=0
for f in "$here"/../php-tests/data/validation/base.json "$shared"/*.json "$shared"/inventories/*.json; do
    [ -f "$f" ] || continue
    [ "$(wc -c < "$f")" -le 65536 ] || continue
    { printf 'A'; cat "$f"; } > "$out/$(basename "$f")"
    n=$((n + 1))
done
printf '%s' 'B[{"name":"sda","disksize":"N","interface":7},{"disksize":"+42"}]' > "$out/storages"
printf '%s' 'C[{"description":"eth0","ipaddress":"01.2.3.4"},{"type":"ethernet"}]' > "$out/networks"
printf '%s' 'F[{"ifstatus":"9","ips":["::1","fe80::1%eth0"],"connections":[{"mac":1}]}]' > "$out/ports"
printf '%s' 'H{"deviceid":"x","content":{"versionclient":"v","hardware":[]},"httpd-port":1}' > "$out/top"
echo "seeded $(ls "$out" | wc -l) files into $out"
