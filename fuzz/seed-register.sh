#!/bin/sh
# Fills fuzz/corpus/<target>/ for the REGISTER and envelope targets from the seeds
# kept in fuzz/seeds/<target>/ (valid states and envelopes made from the known-answer
# vectors, and the spec 6.1 example messages). Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for target in register_state envelope_open register_message; do
    mkdir -p "$here/corpus/$target"
    cp "$here/seeds/$target/"* "$here/corpus/$target/"
done
echo "seeded: register_state envelope_open register_message"
