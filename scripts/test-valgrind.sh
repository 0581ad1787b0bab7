#!/usr/bin/env bash
# Runs the extension's PHPUnit suite (not the HTTP endpoint tests, which spawn servers)
# under valgrind with the Zend allocator off, and fails on any invalid read or write and on
# any leak whose allocation stack passes through the extension at request time.
#
# Left out on purpose: tests of memory_limit (without the Zend allocator PHP enforces no
# limit), PCRE's JIT (its generated code reads whole 16-byte words past the end of strings,
# which memcheck reports although the reads never cross a page), and the argument names
# that class registration keeps for the life of the process (allocated once at startup).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { apt-get install -y -qq valgrind >/dev/null; }
ext=${GAP_EXT_SO:-${CARGO_TARGET_DIR:-$PWD/target}/release/libglpi_agent_protocol.so}
log=${VALGRIND_LOG:-$(mktemp /tmp/gap-valgrind.XXXXXX)}
export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
echo "valgrind: running PHPUnit (excluding group endpoint), log in $log"
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --num-callers=40 --track-origins=no --log-file="$log" \
    php -d pcre.jit=0 -d extension="$ext" /usr/bin/phpunit -c phpunit.xml \
        --filter '/^(?!.*(\\Endpoint|MemoryLimit))/' "$@"
invalid=$(grep -cE 'Invalid (read|write|free)|uninitialised value|Mismatched free' "$log" || true)
# A leak record is the block of lines from "are definitely/indirectly lost" to the blank line.
ours=$(awk '/are (definitely|indirectly) lost/ {rec=$0; inrec=1; next}
            inrec && /^==[0-9]+== *$/ {if (rec ~ /glpi_agent_protocol/ && rec !~ /zend_startup_module_ex/) n++; inrec=0; next}
            inrec {rec = rec "\n" $0}
            END {print n+0}' "$log")
grep -E 'ERROR SUMMARY|definitely lost:|indirectly lost:' "$log" | sed 's/^==[0-9]*== /valgrind: /'
echo "valgrind: invalid accesses: $invalid, leak records through the extension: $ours"
[ "$invalid" -eq 0 ] && [ "$ours" -eq 0 ]
