#!/usr/bin/env bash
# Serves the reference endpoint over TLS on 127.0.0.1 with nginx + php-fpm, client
# certificates requested and passed to PHP: the working example of client certificate
# authentication that GLPI's guide to securing agent exchanges says is missing
# (docs/endpoint.md#client-certificates).
#
#   scripts/tls-endpoint.sh start DIR    prints "REQUIRED_PORT OPTIONAL_PORT ENROLL_PORT"; DIR gets:
#       server-ca.pem       the CA of the server certificate (agents: ca-cert-file)
#       server.pem          the server certificate (127.0.0.1, localhost)
#       ca/ca.crt, ca.key   the agents' CA (tools/admin.php ca create)
#       store.sqlite        the endpoint's store; kek.bin; logs
#   scripts/tls-endpoint.sh stop DIR
#
# Three server blocks share one php-fpm: client_certificates = required; optional; and
# optional with REGISTER (register = token), where agents enroll. nginx asks every client for a certificate without judging its chain
# (ssl_verify_client optional_no_ca) and passes it URL-escaped ($ssl_client_escaped_cert)
# as SSL_CLIENT_CERT: the endpoint verifies it against the agents' CA, its revocations
# and GLPI-Agent-ID. nginx still refuses an expired certificate itself (400).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$gap_root"

command=${1:-} dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

if [ "$command" = stop ]; then
    for pid in nginx.pid php-fpm.pid; do
        [ -f "$dir/$pid" ] && kill "$(cat "$dir/$pid")" 2>/dev/null || true
    done
    exit 0
fi
[ "$command" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bash scripts/install-deps.sh tls >&2
ext=$(gap_php_ext_args)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The server's own certificate, from a CA of its own that agents are given.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Endpoint test server CA" \
    -keyout "$dir/server-ca.key" -out "$dir/server-ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/server-ca.pem" -CAkey "$dir/server-ca.key" -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null

export GAP_STORE_DSN="sqlite:$dir/store.sqlite" GAP_CA_DIR="$dir/ca" GAP_KEK_FILE="$dir/kek.bin"
# shellcheck disable=SC2086 # $ext is zero or two words on purpose
php $ext server/migrate.php >/dev/null
# shellcheck disable=SC2086
[ -f "$dir/ca/ca.crt" ] || php $ext tools/admin.php ca create --name "Endpoint test agents CA" --days 2 >/dev/null

port_required=$(gap_free_port)
port_optional=$(gap_free_port)
fpm_required=$(gap_free_port)
fpm_optional=$(gap_free_port)
port_enroll=$(gap_free_port)
fpm_enroll=$(gap_free_port)
user_line=
[ "$(id -u)" -eq 0 ] && user_line="user root;"

pool() { # name port mode [register]
    cat <<POOL
[$1]
listen = 127.0.0.1:$2
pm = static
pm.max_children = 2
catch_workers_output = yes
clear_env = yes
env[GAP_STORE_DSN] = $GAP_STORE_DSN
env[GAP_CA_DIR] = $GAP_CA_DIR
env[GAP_KEK_FILE] = $GAP_KEK_FILE
env[GAP_CLIENT_CERTIFICATES] = $3
POOL
    # Only when on: php-fpm's ini reader takes a bare "off" for an empty value.
    [ -z "${4:-}" ] || echo "env[GAP_REGISTER] = $4"
}
{
    printf '[global]\npid = %s/php-fpm.pid\nerror_log = %s/php-fpm.log\ndaemonize = yes\n' "$dir" "$dir"
    pool required "$fpm_required" required
    pool optional "$fpm_optional" optional
    pool enroll "$fpm_enroll" optional token
} >"$dir/php-fpm.conf"

server_block() {
    cat <<SERVER
    server {
        listen 127.0.0.1:$1 ssl;
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        # Ask for a client certificate; the endpoint, not nginx, decides on it.
        ssl_verify_client optional_no_ca;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $gap_root/server/index.php;
            fastcgi_param SSL_CLIENT_CERT \$ssl_client_escaped_cert;
            fastcgi_param SSL_CLIENT_VERIFY \$ssl_client_verify;
            fastcgi_pass 127.0.0.1:$2;
        }
    }
SERVER
}
{
    cat <<HEAD
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 256; }
http {
    access_log $dir/nginx-access.log;
    client_body_temp_path $dir/nginx-body;
    fastcgi_temp_path $dir/nginx-fastcgi;
    proxy_temp_path $dir/nginx-proxy;
    uwsgi_temp_path $dir/nginx-uwsgi;
    scgi_temp_path $dir/nginx-scgi;
    client_max_body_size 64m;
HEAD
    server_block "$port_required" "$fpm_required"
    server_block "$port_optional" "$fpm_optional"
    server_block "$port_enroll" "$fpm_enroll"
    echo "}"
} >"$dir/nginx.conf"

root_flag=()
[ "$(id -u)" -eq 0 ] && root_flag=(-R)
# shellcheck disable=SC2086
php-fpm8.2 "${root_flag[@]}" -y "$dir/php-fpm.conf" $ext -d display_errors=0 -d log_errors=1 >"$dir/php-fpm.out" 2>&1
gap_wait_port "$fpm_required" 10 >&2
nginx -e "$dir/nginx-error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/nginx.out" 2>&1
gap_wait_port "$port_required" 10 >&2
gap_wait_port "$port_optional" 10 >&2
gap_wait_port "$port_enroll" 10 >&2
echo "$port_required $port_optional $port_enroll"
