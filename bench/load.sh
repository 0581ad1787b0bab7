#!/usr/bin/env bash
# Load benchmark: the endpoint under php8.2-fpm behind nginx on 127.0.0.1, driven by wrk for
# a bounded time, with the extension and with the baseline (PHP's own decoding, as GLPI does
# it), for a CONTACT and for a 240 KB zlib inventory. Prints requests per second, latency
# percentiles and errors. Nothing here is part of the default tests.
#
#   bench/load.sh [-d SECONDS] [-c CONNECTIONS] [-w FPM_WORKERS] [-r ROUNDS] [--store sqlite|mariadb]
#                 [--validation off|strict|lenient]
#
# Inventories are validated as the endpoint's `validation` setting says (default strict):
# the extension with Inventory::validate(), the baseline with GLPI's own inventory_format
# library (../shared/oracle/inventory_format) when it is there, unchecked when it is not.
#
# Each round runs every mode and path once, alternating, on a fresh store; the table gives
# the round with the median requests per second for each cell, and the errors of all rounds.
#
# Every server it starts (nginx, php-fpm, MariaDB) runs from a temporary directory, listens
# on loopback or a private socket, and is stopped at the end.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$gap_root"

duration=10
connections=8
children=4
rounds=3
store=sqlite
validation=strict
while [ $# -gt 0 ]; do
    case "$1" in
        -d) duration=$2; shift 2 ;;
        -c) connections=$2; shift 2 ;;
        -w) children=$2; shift 2 ;;
        -r) rounds=$2; shift 2 ;;
        --store) store=$2; shift 2 ;;
        --validation) validation=$2; shift 2 ;;
        *) echo "usage: $0 [-d SECONDS] [-c CONNECTIONS] [-w FPM_WORKERS] [-r ROUNDS] [--store sqlite|mariadb] [--validation off|strict|lenient]" >&2; exit 2 ;;
    esac
done
case "$store" in sqlite|mariadb) ;; *) echo "--store sqlite or mariadb" >&2; exit 2 ;; esac
case "$validation" in off|strict|lenient) ;; *) echo "--validation off, strict or lenient" >&2; exit 2 ;; esac
[ "$duration" -ge 1 ] && [ "$duration" -le 300 ] || { echo "-d must be 1 to 300 seconds" >&2; exit 2; }
[ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] || { echo "-r must be 1 to 10" >&2; exit 2; }

groups=(bench)
[ "$store" = mariadb ] && groups+=(mariadb)
bash scripts/install-deps.sh "${groups[@]}"
[ -f "$(gap_ext_so)" ] || php -m | grep -qx glpi_agent_protocol || gap_build
so=$(gap_ext_so)
ext_args=()
php -m | grep -qx glpi_agent_protocol || ext_args=(-d "extension=$so")

run=$(mktemp -d /tmp/gap-load.XXXXXX)
fpm_pid= nginx_pid=
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
    [ -n "$fpm_pid" ] && kill "$fpm_pid" 2>/dev/null && wait "$fpm_pid" 2>/dev/null || true
    [ "$store" = mariadb ] && scripts/mariadb.sh stop "$run/mariadb" >/dev/null 2>&1 || true
    rm -rf "$run"
}
trap cleanup EXIT

# Request bodies: the captured CONTACT of a real glpi-agent, and the real 240 KB inventory
# compressed at zlib's default level, as agents send it.
corpus="$gap_root/../shared/corpus/glpi-agent-inventory-local.json"
[ -f "$corpus" ] || corpus="$gap_root/samples/inventory.json"
cp php-tests/data/wire/glpi-agent-03-contact.zlib "$run/contact.zlib"
php -r 'file_put_contents($argv[2], gzcompress(file_get_contents($argv[1])));' "$corpus" "$run/inventory.zlib"
agent_id=8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9

if [ "$store" = mariadb ]; then
    dsn=$(scripts/mariadb.sh start "$run/mariadb")
    db_user=gap db_password=gap
else
    dsn="sqlite:$run/store.sqlite"
    db_user= db_password=
fi

store_env() {
    GAP_STORE_DSN=$dsn GAP_STORE_USER=$db_user GAP_STORE_PASSWORD=$db_password "$@"
}

fresh_store() {
    [ "$store" = sqlite ] && rm -f "$run"/store.sqlite*
    store_env php server/migrate.php --purge >/dev/null
}

port=$(gap_free_port)
fpm_port=$(gap_free_port)
while [ "$fpm_port" = "$port" ]; do fpm_port=$(gap_free_port); done
user_line=
[ "$(id -u)" -eq 0 ] && user_line="user root;"

start_servers() {
    local baseline=$1 credentials=
    [ -n "$db_user" ] && credentials="env[GAP_STORE_USER] = $db_user"$'\n'"env[GAP_STORE_PASSWORD] = $db_password"
    sed -e "s|@RUN@|$run|g" -e "s|@FPM_PORT@|$fpm_port|g" -e "s|@CHILDREN@|$children|g" \
        -e "s|@DSN@|$dsn|g" -e "s|@BASELINE@|$baseline|g" -e "s|@VALIDATION@|$validation|g" bench/php-fpm.conf.in \
        | awk -v c="$credentials" '{ if ($0 == "@DB_CREDENTIALS@") print c; else print }' >"$run/php-fpm.conf"
    sed -e "s|@RUN@|$run|g" -e "s|@FPM_PORT@|$fpm_port|g" -e "s|@PORT@|$port|g" -e "s|@ROOT@|$gap_root|g" \
        -e "s|@USER@|$user_line|g" bench/nginx.conf.in >"$run/nginx.conf"
    local root_flag=()
    [ "$(id -u)" -eq 0 ] && root_flag=(-R)
    php-fpm8.2 "${root_flag[@]}" -F -y "$run/php-fpm.conf" "${ext_args[@]}" -d post_max_size=0 \
        -d memory_limit=512M -d display_errors=0 -d opcache.enable=1 >"$run/php-fpm.out" 2>&1 &
    fpm_pid=$!
    gap_wait_port "$fpm_port" 10
    nginx -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf" -g 'daemon off;' >"$run/nginx.out" 2>&1 &
    nginx_pid=$!
    gap_wait_port "$port" 10
}

stop_servers() {
    kill "$nginx_pid" "$fpm_pid" 2>/dev/null || true
    wait "$nginx_pid" "$fpm_pid" 2>/dev/null || true
    nginx_pid= fpm_pid=
}

# One wrk run; prints "rps p50 p90 p99 errors requests".
measure() {
    local body=$1 out
    out=$(GAP_BODY=$body GAP_AGENT_ID=$agent_id wrk -t1 -c"$connections" -d"${duration}s" --timeout 10s \
        -s bench/wrk-post.lua "http://127.0.0.1:$port/")
    echo "$out" | php -r '
        $line = ""; foreach (explode("\n", stream_get_contents(STDIN)) as $l) { if (str_starts_with($l, "GAP_RESULT ")) $line = $l; }
        if ($line === "") { fwrite(STDERR, "wrk printed no result\n"); exit(1); }
        parse_str(str_replace(" ", "&", substr($line, 11)), $r);
        $errors = $r["connect"] + $r["read"] + $r["write"] + $r["status"] + $r["timeout"];
        printf("%.1f %.2f %.2f %.2f %d %d\n", $r["requests"] / ($r["duration_us"] / 1e6),
            $r["p50_us"] / 1000, $r["p90_us"] / 1000, $r["p99_us"] / 1000, $errors, $r["requests"]);'
}

# A request that must succeed before measuring: proves the stack works and warms opcache.
check() {
    local body=$1 status
    status=$(php -r '
        $ctx = stream_context_create(["http" => ["method" => "POST", "ignore_errors" => true,
            "header" => "Content-Type: application/x-compress-zlib\r\nGLPI-Agent-ID: '"$agent_id"'\r\nConnection: close",
            "content" => file_get_contents($argv[1])]]);
        $answer = file_get_contents($argv[2], false, $ctx);
        $status = (int) explode(" ", $http_response_header[0] ?? "HTTP/1.1 0")[1];
        $json = json_decode((string) @gzuncompress((string) $answer), true);
        echo $status === 200 && ($json["status"] ?? "") === "ok" ? "ok" : "failed: $status " . substr((string) $answer, 0, 200);' \
        "$body" "http://127.0.0.1:$port/")
    [ "$status" = ok ] || { echo "load: the endpoint did not answer correctly: $status" >&2; tail -n 20 "$run"/php-fpm.log "$run"/php-fpm.out "$run"/nginx-error.log >&2; exit 1; }
}

echo "load: nginx $(nginx -v 2>&1 | sed 's/.*\///'), php-fpm $(php-fpm8.2 -v | head -1 | cut -d' ' -f2), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "load: $(nproc) cores, $children fpm workers, $connections connections, ${duration}s per run, store $store"
echo "load: inventory body $(stat -c %s "$run/inventory.zlib") B zlib of $(stat -c %s "$corpus") B JSON ($(basename "$corpus")), contact $(stat -c %s "$run/contact.zlib") B"
echo

declare -A runs errors
for round in $(seq 1 "$rounds"); do
    for mode in extension baseline; do
        baseline=0
        [ "$mode" = baseline ] && baseline=1
        for scenario in contact inventory; do
            fresh_store
            start_servers "$baseline"
            check "$run/$scenario.zlib"
            before=$(store_env php tools/store-summary.php --last-id)
            line=$(measure "$run/$scenario.zlib")
            stop_servers
            runs[$mode.$scenario]+="$line"$'\n'
            read -r rps _ _ _ err requests <<<"$line"
            errors[$mode.$scenario]=$(( ${errors[$mode.$scenario]:-0} + err ))
            note=
            if [ "$scenario" = inventory ]; then
                note=", $(( $(store_env php tools/store-summary.php --last-id) - before )) inventories stored"
            fi
            echo "load: round $round, $mode, $scenario: $rps requests/s, $requests answered, $err errors$note"
        done
    done
done

# The run with the median requests per second of each cell.
median() {
    printf '%s' "$1" | sort -n -k1,1 | awk 'NF { a[n++] = $0 } END { print a[int((n - 1) / 2)] }'
}

echo
echo "| path | mode | requests/s | p50 ms | p90 ms | p99 ms | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
declare -A best
for scenario in contact inventory; do
    for mode in extension baseline; do
        best[$mode.$scenario]=$(median "${runs[$mode.$scenario]}")
        read -r rps p50 p90 p99 _ _ <<<"${best[$mode.$scenario]}"
        label=$scenario
        [ "$scenario" = inventory ] && label="inventory (240 KB zlib)"
        echo "| $label | $mode | $rps | $p50 | $p90 | $p99 | ${errors[$mode.$scenario]} |"
    done
done
echo
for scenario in contact inventory; do
    php -r 'printf("%s: extension / baseline = %.2fx requests per second\n", $argv[1], $argv[2] / max((float) $argv[3], 0.001));' \
        "$scenario" "$(cut -d' ' -f1 <<<"${best[extension.$scenario]}")" "$(cut -d' ' -f1 <<<"${best[baseline.$scenario]}")"
done
total=0
for k in "${!errors[@]}"; do total=$((total + errors[$k])); done
[ "$total" -eq 0 ] || { echo "load: $total errors" >&2; exit 1; }
