#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing, quietly.
#
#   scripts/install-deps.sh                 build and test: PHP 8.2 dev/cli, PDO drivers, C compiler, clang, phpunit
#   scripts/install-deps.sh mariadb         + mariadb-server (protocol tests on MariaDB)
#   scripts/install-deps.sh peers           + fusioninventory-agent (real agent test)
#   scripts/install-deps.sh fpm             + php8.2-fpm nginx (two endpoint instances in the peers tests)
#   scripts/install-deps.sh bench           + php8.2-fpm nginx wrk (load benchmark)
#   scripts/install-deps.sh tls             + php8.2-fpm nginx curl openssl (the TLS endpoint, client certificates)
#   scripts/install-deps.sh all             everything above
#
# Services are never started by the packages: the project's scripts start private instances
# on loopback or on a socket in a temporary directory, and stop them.
set -euo pipefail

# build-essential: the C compiler and libc headers the cc crate uses to build ring's and
# ext-php-rs's C and assembly (clang alone is there for bindgen).
base=(php8.2-dev php8.2-cli php8.2-sqlite3 php8.2-mysql php8.2-xml php8.2-mbstring
      build-essential clang libclang-dev phpunit make)
want=("${base[@]}")
for group in "$@"; do
    case "$group" in
        mariadb) want+=(mariadb-server mariadb-client) ;;
        peers)   want+=(fusioninventory-agent) ;;
        fpm)     want+=(php8.2-fpm nginx) ;;
        bench)   want+=(php8.2-fpm nginx wrk) ;;
        tls)     want+=(php8.2-fpm nginx curl openssl) ;;
        all)     want+=(mariadb-server mariadb-client fusioninventory-agent php8.2-fpm nginx wrk curl openssl) ;;
        base)    ;;
        *) echo "install-deps: unknown group '$group' (mariadb, peers, fpm, bench, tls, all)" >&2; exit 2 ;;
    esac
done

missing=()
for pkg in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$pkg")
    fi
done
# make lint needs the toolchain's formatter and linter; rustup toolchains may lack them.
if command -v rustup >/dev/null; then
    for tool in rustfmt clippy; do
        cargo "${tool/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$tool" >&2
    done
fi

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi

# Keep the packages' own services (mariadb, nginx, php-fpm, the agent daemon) from starting:
# policy-rc.d exit 101 is Debian's documented way to say "do not start services".
cleanup_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
    cleanup_policy=1
fi
trap '[ -n "$cleanup_policy" ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine: refresh them once when an
# install is actually needed.
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
