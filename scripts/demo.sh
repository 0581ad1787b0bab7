#!/usr/bin/env bash
# The project's main job: install what is missing, build the extension, start the endpoint
# on 127.0.0.1 with the default SQLite store, run the agent simulator through PROLOG,
# CONTACT and an inventory of the bundled sample in every encoding (plus one legacy
# FusionInventory-style XML run), print what was stored, and stop the server.
#
#   scripts/demo.sh            quiet exchanges (one line each)
#   scripts/demo.sh --verbose  every exchange in full
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$gap_root"

quiet=--quiet
if [ "${1:-}" = "--verbose" ]; then quiet=; fi

echo "== installing what is missing"
bash scripts/install-deps.sh
echo "== building the extension"
gap_build
ext=$(gap_php_ext_args)
# shellcheck disable=SC2086
php $ext -r 'echo "glpi_agent_protocol ", phpversion("glpi_agent_protocol") ?: "?", " loaded in PHP ", PHP_VERSION, "\n";'

echo "== preparing the store"
php server/migrate.php
since=$(php tools/store-summary.php --last-id)

port=$(gap_free_port)
log=$(mktemp /tmp/gap-endpoint.XXXXXX.log)
trap 'gap_stop_endpoint; rm -f "$log"' EXIT
gap_start_endpoint "$port" "$log"
echo "== endpoint on http://127.0.0.1:$port/ (php -S, pid $GAP_SERVER_PID)"

state="$gap_root/var/demo-agent.json"
status=0
sim() {
    # shellcheck disable=SC2086
    php $ext tools/agent-sim.php --server "http://127.0.0.1:$port/" $quiet "$@" || status=1
}
for encoding in zlib gzip deflate br none; do
    echo
    echo "== glpi-agent style, $encoding"
    sim --state "$state" --compression "$encoding" --get-retry
done
echo
echo "== FusionInventory style (XML, no GLPI-Agent-ID), zlib"
sim --state "$gap_root/var/demo-legacy-agent.json" --legacy --compression zlib

echo
echo "== stored by this run"
php tools/store-summary.php --since "$since"

if [ -s "$log" ] && grep -qiE 'fatal|warning|error' "$log"; then
    echo
    echo "== endpoint log"
    cat "$log"
fi
if [ "$status" -ne 0 ]; then
    echo "demo: some exchanges failed" >&2
fi
exit "$status"
