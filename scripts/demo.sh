#!/usr/bin/env bash
# The project's main job: install what is missing, build the extension, start the endpoint
# on 127.0.0.1 with the default SQLite store, run the agent simulator through PROLOG,
# CONTACT and an inventory of the bundled sample in every encoding (plus one legacy
# FusionInventory-style XML run), then, on a second endpoint where registration is open
# with a token, show an agent registering (spec chapter 6) and sending encrypted requests;
# print what was stored, and stop the servers.
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

# Second endpoint, same store: registration open to holders of a token (GAP_REGISTER=token);
# session keys are kept wrapped under var/kek.bin.
gap_stop_endpoint
port=$(gap_free_port)
GAP_REGISTER=token gap_start_endpoint "$port" "$log"
echo
echo "== REGISTER: endpoint with registration by token on http://127.0.0.1:$port/ (pid $GAP_SERVER_PID)"
token_dir=$(mktemp -d /tmp/gap-demo-token.XXXXXX)
token_file="$token_dir/token"
trap 'gap_stop_endpoint; rm -f "$log"; rm -rf "$token_dir"' EXIT
# shellcheck disable=SC2086
token_id=$(php $ext tools/admin.php token create --comment "demo $(date -u +%FT%TZ)" --token-file "$token_file" |
    sed -n 's/^token \([0-9]*\): .*/\1/p')
echo "   token $token_id created with tools/admin.php (kept in $token_file for the agent, not printed)"
echo
echo "== glpi-agent style with the token: register, then sealed PROLOG, CONTACT and inventory"
# A new agent each run, so that the registration is shown in full.
rm -f "$gap_root/var/demo-registered-agent.json"
sim --state "$gap_root/var/demo-registered-agent.json" --token-file "$token_file" --compression zlib
echo
echo "== the same agent, renewing its registration (encrypted under its current key)"
sim --state "$gap_root/var/demo-registered-agent.json" --token-file "$token_file" --steps register,contact --renew
echo
echo "== registrations (tools/admin.php agent list)"
# shellcheck disable=SC2086
php $ext tools/admin.php agent list
# The demo's token is not meant to outlive it: revoking it revokes the keys issued under it.
# shellcheck disable=SC2086
php $ext tools/admin.php token revoke "$token_id" >/dev/null
echo "   token $token_id revoked, and with it the keys issued under it"
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
