#!/usr/bin/env bash
# Tests against real peers: the endpoint's PHPUnit suite (every action and error through
# HTTP, Debian's fusioninventory-agent sending its PROLOG and XML inventory, and two
# endpoint instances under php-fpm behind nginx sharing one store, EndpointScaleOutTest) on
# the default SQLite store, client certificates over TLS with real clients
# (scripts/test-tls.sh), then again on a private MariaDB server started here on a socket
# in a temporary directory and stopped at the end. php-fpm and nginx are started by the
# tests themselves, on unix sockets and loopback ports in a temporary directory.
#
#   scripts/test-peers.sh             SQLite and MariaDB
#   scripts/test-peers.sh sqlite      SQLite only
#   scripts/test-peers.sh mariadb     MariaDB only
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$gap_root"

which=${1:-all}
case "$which" in all|sqlite|mariadb) ;; *) echo "usage: $0 [all|sqlite|mariadb]" >&2; exit 2 ;; esac

bash scripts/install-deps.sh peers mariadb fpm tls
[ -f "$(gap_ext_so)" ] || php -m | grep -qx glpi_agent_protocol || gap_build
ext=$(gap_php_ext_args)
export GAP_REQUIRE_PEERS=1

run_suite() {
    # shellcheck disable=SC2086 # $ext is zero or two words on purpose
    php $ext /usr/bin/phpunit -c phpunit-endpoint.xml
}

if [ "$which" != mariadb ]; then
    echo "== endpoint tests and fusioninventory-agent on SQLite"
    run_suite
    echo "== client certificates over TLS: nginx + php-fpm, curl, openssl s_client, fusioninventory-agent"
    bash scripts/test-tls.sh
fi

if [ "$which" != sqlite ]; then
    dbdir=$(mktemp -d /tmp/gap-mariadb.XXXXXX)
    trap 'scripts/mariadb.sh stop "$dbdir" || true; rm -rf "$dbdir"' EXIT
    echo "== starting a private MariaDB in $dbdir"
    GAP_TEST_DSN=$(scripts/mariadb.sh start "$dbdir")
    export GAP_TEST_DSN GAP_TEST_USER=gap GAP_TEST_PASSWORD=gap
    mariadbd --version
    echo "== endpoint tests and fusioninventory-agent on MariaDB"
    run_suite
fi
