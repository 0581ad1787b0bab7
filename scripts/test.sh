#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages, crates), builds the extension,
# then the Rust core tests, the stub drift check, PHPUnit, a short fuzz pass and the tests
# against real peers (fusioninventory-agent, MariaDB). Used as is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec make test "$@"
