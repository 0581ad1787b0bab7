#!/usr/bin/env bash
# A private MariaDB for tests: its own data directory and socket under DIR, no TCP port.
#
#   scripts/mariadb.sh start DIR   create (first time) and start; prints the PDO DSN on stdout
#   scripts/mariadb.sh stop DIR    stop the server started in DIR
#   scripts/mariadb.sh dsn DIR     print the PDO DSN again
#
# The DSN names the database "gap", reachable as user "gap" with password "gap" (a
# test-only account on a socket nobody else can reach): use it as
#   GAP_STORE_DSN="$(scripts/mariadb.sh dsn DIR)" GAP_STORE_USER=gap GAP_STORE_PASSWORD=gap
set -euo pipefail

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|dsn DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/mysqld.sock"
pidfile="$dir/mysqld.pid"
dsn="mysql:unix_socket=$sock;dbname=gap;charset=utf8mb4"
user=$(id -un)

running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
    dsn) echo "$dsn" ;;
    start)
        bash "$here/install-deps.sh" mariadb
        if running; then echo "$dsn"; exit 0; fi
        if [ ! -d "$dir/data/mysql" ]; then
            mariadb-install-db --datadir="$dir/data" --user="$user" --skip-test-db \
                --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
                || { cat "$dir/install.log" >&2; exit 1; }
        fi
        # A socket path must fit in sun_path (108 bytes).
        [ ${#sock} -lt 100 ] || { echo "mariadb.sh: socket path too long: $sock" >&2; exit 1; }
        mariadbd --no-defaults --datadir="$dir/data" --socket="$sock" --pid-file="$pidfile" \
            --skip-networking --user="$user" --log-error="$dir/error.log" \
            --max-allowed-packet=256M --innodb-buffer-pool-size=256M \
            --innodb-flush-log-at-trx-commit=1 --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_bin >/dev/null 2>&1 &
        for _ in $(seq 1 150); do
            if [ -S "$sock" ] && mariadb --no-defaults --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
                break
            fi
            sleep 0.2
        done
        mariadb --no-defaults --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 \
            || { echo "mariadb.sh: server did not start, see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1; }
        mariadb --no-defaults --socket="$sock" -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS gap CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'gap'@'localhost' IDENTIFIED BY 'gap';
GRANT ALL PRIVILEGES ON gap.* TO 'gap'@'localhost';
GRANT ALL PRIVILEGES ON `gap\_%`.* TO 'gap'@'localhost';
SQL
        echo "$dsn"
        ;;
    stop)
        if running; then
            pid=$(cat "$pidfile")
            kill "$pid"
            for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            if kill -0 "$pid" 2>/dev/null; then echo "mariadb.sh: $pid still running" >&2; exit 1; fi
        fi
        ;;
    *) echo "usage: $0 start|stop|dsn DIR" >&2; exit 2 ;;
esac
