# Shared helpers for the project's scripts (sourced, not run).

gap_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Path of the extension as cargo builds it.
gap_ext_so() {
    echo "${CARGO_TARGET_DIR:-$gap_root/target}/release/libglpi_agent_protocol.so"
}

# Builds the extension: through the Makefile when the project has one, else with cargo.
gap_build() {
    if [ -f "$gap_root/Makefile" ] && grep -q '^build:' "$gap_root/Makefile"; then
        make -s -C "$gap_root" build
    else
        (cd "$gap_root" && cargo build --release --quiet)
    fi
}

# PHP arguments that load the extension: none when php.ini already loads it, else
# -d extension=<built .so>. Fails when neither is possible.
gap_php_ext_args() {
    if php -m 2>/dev/null | grep -qx glpi_agent_protocol; then
        return 0
    fi
    local so
    so=$(gap_ext_so)
    if [ ! -f "$so" ]; then
        echo "the glpi_agent_protocol extension is neither installed nor built ($so)" >&2
        return 1
    fi
    echo "-d extension=$so"
}

# A TCP port free on 127.0.0.1 right now.
gap_free_port() {
    php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);'
}

# Waits until something accepts connections on 127.0.0.1:$1 (at most $2 seconds, default 10).
gap_wait_port() {
    local port=$1 limit=${2:-10} i
    for i in $(seq 1 $((limit * 10))); do
        if php -r 'exit(@fsockopen("127.0.0.1", (int) $argv[1], $e, $s, 0.2) ? 0 : 1);' "$port"; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port after ${limit}s" >&2
    return 1
}

# Starts the endpoint under PHP's built-in server on 127.0.0.1:$1, logging to $2;
# sets GAP_SERVER_PID. The environment (GAP_*) reaches the endpoint's configuration.
gap_start_endpoint() {
    local port=$1 log=$2 ext
    ext=$(gap_php_ext_args) || return 1
    # shellcheck disable=SC2086 # $ext is zero or two words on purpose
    php $ext -d post_max_size=0 -d memory_limit=1G -d display_errors=0 -d log_errors=1 \
        -S "127.0.0.1:$port" "$gap_root/server/index.php" >"$log" 2>&1 &
    GAP_SERVER_PID=$!
    gap_wait_port "$port" 10
}

gap_stop_endpoint() {
    if [ -n "${GAP_SERVER_PID:-}" ] && kill -0 "$GAP_SERVER_PID" 2>/dev/null; then
        kill "$GAP_SERVER_PID"
        wait "$GAP_SERVER_PID" 2>/dev/null || true
    fi
    GAP_SERVER_PID=
}
