#!/usr/bin/env bash
# Runs every cargo-fuzz target briefly (default 20 s each) from its seed corpus, so CI
# catches a crash that a parser change brings back. Longer runs: FUZZ_SECONDS=600.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-20}}

if [ ! -d fuzz/fuzz_targets ]; then
    echo "fuzz: no targets"
    exit 0
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: SKIPPED, cargo-fuzz needs a nightly toolchain and this machine has none" >&2
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz from crates.io"
    cargo install --locked --quiet cargo-fuzz
fi
for seed in fuzz/seed*.sh; do sh "$seed" >/dev/null; done

failed=0
for target in $(cargo +nightly fuzz list); do
    mkdir -p "fuzz/corpus/$target"
    log=$(mktemp)
    if cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
            -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "fuzz: $target ok, $runs executions in ${seconds}s"
    else
        echo "fuzz: $target FAILED" >&2
        tail -40 "$log" >&2
        failed=1
    fi
    rm -f "$log"
done
exit $failed
