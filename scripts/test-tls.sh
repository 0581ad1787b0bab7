#!/usr/bin/env bash
# Client certificates against the endpoint served over TLS by nginx + php-fpm
# (scripts/tls-endpoint.sh), with real TLS clients nobody here wrote: curl --cert/--key,
# openssl s_client, and Debian's fusioninventory-agent with --ca-cert-file. Requests made
# by openssl req (RSA, EC, Ed25519) are issued by tools/admin.php; each case checks the
# HTTP status, the error token and, where it matters, the store.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$gap_root"

bash scripts/install-deps.sh tls peers
ext=$(gap_php_ext_args)
dir=$(mktemp -d /tmp/gap-tls.XXXXXX)
trap 'scripts/tls-endpoint.sh stop "$dir"; rm -rf "$dir"' EXIT
read -r required optional enroll < <(scripts/tls-endpoint.sh start "$dir")
export GAP_STORE_DSN="sqlite:$dir/store.sqlite" GAP_CA_DIR="$dir/ca" GAP_KEK_FILE="$dir/kek.bin"

admin() {
    # shellcheck disable=SC2086 # $ext is zero or two words on purpose
    php $ext tools/admin.php "$@"
}
sql() {
    php -r '$p = new PDO($argv[1]); echo implode("\n", $p->query($argv[2])->fetchAll(PDO::FETCH_COLUMN)), "\n";' "$GAP_STORE_DSN" "$1"
}

passed=0 failed=0
check() { # name expected actual
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failed=$((failed + 1)); echo "FAIL $1: expected [$2], got [$3]"
    fi
}

AGENT_RSA=3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27
AGENT_EC=8b5b2f1e-0c3a-4e4f-9a6d-2b7c1d0e9f10
AGENT_ED=c4a1d6e0-7d3b-4b8e-9f51-0a2b3c4d5e6f
AGENT_REVOKED=5d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a
AGENT_EXPIRED=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0

# Requests made by openssl, issued by the admin tool, checked by openssl verify.
enroll() { # agent newkey...
    local agent=$1; shift
    openssl req -new -newkey "$@" -nodes -keyout "$dir/$agent.key" -subj "/CN=ignored" -out "$dir/$agent.csr" 2>/dev/null
    admin cert issue "$agent" "$dir/$agent.csr" --out "$dir/$agent.crt" 2>/dev/null
    cat "$dir/$agent.key" "$dir/$agent.crt" >"$dir/$agent.pem"
}
enroll "$AGENT_RSA" rsa:2048
enroll "$AGENT_EC" ec -pkeyopt ec_paramgen_curve:P-384
enroll "$AGENT_ED" ed25519
enroll "$AGENT_REVOKED" ec -pkeyopt ec_paramgen_curve:P-256
for a in "$AGENT_RSA" "$AGENT_EC" "$AGENT_ED"; do
    check "openssl verify accepts the certificate of $a" "$dir/$a.crt: OK" "$(openssl verify -CAfile "$dir/ca/ca.crt" -purpose sslclient "$dir/$a.crt" 2>&1)"
done
admin cert revoke "$(openssl x509 -in "$dir/$AGENT_REVOKED.crt" -noout -serial | cut -d= -f2)" >/dev/null
# An expired certificate: issued with a validity that ended an hour ago.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/expired.key" -subj "/CN=x" -out "$dir/expired.csr" 2>/dev/null
# shellcheck disable=SC2086
php $ext -r '$i = GlpiAgentProtocol\CertificateAuthority::issue(file_get_contents($argv[1]), file_get_contents($argv[2]), file_get_contents($argv[3]), $argv[4], 3600, time() - 7200);
    file_put_contents($argv[5], $i["certificate"]);' "$dir/ca/ca.crt" "$dir/ca/ca.key" "$dir/expired.csr" "$AGENT_EXPIRED" "$dir/expired.crt"
# A certificate of another CA, for the same agent id.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=Endpoint test agents CA" \
    -keyout "$dir/rogue-ca.key" -out "$dir/rogue-ca.pem" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >"$dir/client.ext"
openssl x509 -req -in "$dir/$AGENT_RSA.csr" -CA "$dir/rogue-ca.pem" -CAkey "$dir/rogue-ca.key" -days 1 \
    -extfile "$dir/client.ext" -out "$dir/rogue.crt" 2>/dev/null

contact() { # agent
    printf '{"action":"contact","deviceid":"pc-%s","name":"GLPI-Agent","version":"1.12","installed-tasks":["inventory"]}' "$1"
}
# curl: prints "status token" of the answer.
call() { # port agent cert-args...
    local port=$1 agent=$2; shift 2
    local out
    out=$(contact "$agent" | curl -sS --cacert "$dir/server-ca.pem" "$@" -H "GLPI-Agent-ID: $agent" \
        -H 'Content-Type: application/json' --data-binary @- -o "$dir/answer" -w '%{http_code}' "https://127.0.0.1:$port/")
    echo "$out $(php -r '$a = json_decode((string) file_get_contents($argv[1]), true); echo is_array($a) ? ($a["message"] ?? $a["status"] ?? "?") : "not-json";' "$dir/answer")"
}

for a in "$AGENT_RSA" "$AGENT_EC" "$AGENT_ED"; do
    check "curl with the certificate of $a (required)" "200 ok" "$(call "$required" "$a" --cert "$dir/$a.crt" --key "$dir/$a.key")"
done
check "curl with one PEM holding key and certificate, as glpi-agent's ssl-cert-file" "200 ok" "$(call "$required" "$AGENT_EC" --cert "$dir/$AGENT_EC.pem")"
check "the agent's serial and expiry are stored" "$(openssl x509 -in "$dir/$AGENT_EC.crt" -noout -serial | cut -d= -f2 | tr A-F a-f)" \
    "$(sql "SELECT cert_serial FROM agents WHERE agent_uuid = '$AGENT_EC'")"
check "admin agent list shows it" 1 "$(admin agent list | grep -c "$AGENT_EC.*until")"
check "no certificate when required" "403 certificate required" "$(call "$required" "$AGENT_RSA")"
check "no certificate when optional" "200 ok" "$(call "$optional" "$AGENT_RSA")"
check "revoked certificate" "403 certificate revoked" "$(call "$optional" "$AGENT_REVOKED" --cert "$dir/$AGENT_REVOKED.crt" --key "$dir/$AGENT_REVOKED.key")"
check "another agent's id" "403 certificate agent mismatch" "$(call "$optional" "$AGENT_EC" --cert "$dir/$AGENT_RSA.crt" --key "$dir/$AGENT_RSA.key")"
check "a certificate of another CA with the same name" "403 unknown certificate authority" "$(call "$required" "$AGENT_RSA" --cert "$dir/rogue.crt" --key "$dir/$AGENT_RSA.key")"
check "an expired certificate is refused by nginx itself" "400 not-json" "$(call "$optional" "$AGENT_EXPIRED" --cert "$dir/expired.crt" --key "$dir/expired.key")"
check "the mismatched and revoked agents were not stored" 0 "$(sql "SELECT COUNT(*) FROM agents WHERE agent_uuid IN ('$AGENT_REVOKED', '$AGENT_EXPIRED')")"

# openssl s_client: a raw HTTP/1.0 request over its TLS connection.
s_client() { # port agent cert key
    { printf 'POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nGLPI-Agent-ID: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' "$2" "$(contact "$2" | wc -c)"; contact "$2"; sleep 1; } \
        | openssl s_client -quiet -connect "127.0.0.1:$1" -CAfile "$dir/server-ca.pem" -verify_return_error -cert "$3" -key "$4" 2>/dev/null \
        | head -1 | tr -d '\r'
}
check "openssl s_client with a certificate" "HTTP/1.1 200 OK" "$(s_client "$required" "$AGENT_ED" "$dir/$AGENT_ED.crt" "$dir/$AGENT_ED.key")"
check "openssl s_client with a revoked certificate" "HTTP/1.1 403 Forbidden" "$(s_client "$required" "$AGENT_REVOKED" "$dir/$AGENT_REVOKED.crt" "$dir/$AGENT_REVOKED.key")"

# The server certificate's fingerprint, as glpi-agent's ssl-fingerprint takes it.
theirs=$(openssl x509 -in "$dir/server.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
check "admin fingerprint equals openssl x509 -fingerprint -sha256" "sha256\$$theirs" "$(admin fingerprint "$dir/server.pem")"

# fusioninventory-agent over TLS, checking the server with --ca-cert-file (it has no client
# certificate option): the optional port serves it, its inventory is stored.
home="$dir/fusion"
mkdir -p "$home/lib" "$home/var"
printf "package setup;\nuse strict;\nuse warnings;\nuse parent qw(Exporter);\nour @EXPORT = ('%%setup');\nour %%setup = (datadir => '/usr/share/fusioninventory', libdir => '/usr/share/fusioninventory/lib', vardir => '%s');\n1;\n" "$home/var" >"$home/lib/setup.pm"
if timeout 300 perl "-I$home/lib" -Msetup /usr/bin/fusioninventory-agent --server "https://127.0.0.1:$optional/" \
        --ca-cert-file "$dir/server-ca.pem" --force --tasks=inventory --no-category=process,environment \
        --no-httpd --config=none --logger=stderr --timeout=60 >"$dir/fusion.log" 2>&1; then
    check "fusioninventory-agent over TLS: inventory stored" 1 "$(sql "SELECT COUNT(*) FROM inventories WHERE format = 'xml'")"
else
    check "fusioninventory-agent over TLS runs" 0 "$? $(tail -3 "$dir/fusion.log")"
fi
check "fusioninventory-agent over TLS without the server's CA fails" 1 \
    "$(timeout 120 perl "-I$home/lib" -Msetup /usr/bin/fusioninventory-agent --server "https://127.0.0.1:$optional/" --force --tasks=inventory \
        --no-httpd --config=none --logger=stderr --timeout=20 2>&1 | grep -c -i 'certificate verify failed\|SSL connect attempt failed' | head -1 | sed 's/^[1-9][0-9]*$/1/')"

# The agent simulator enrolls over TLS (REGISTER with its CSR, the certificate written after
# its key in one file), then talks over TLS with that certificate where one is required
# (plain there: that server does not run REGISTER, so it holds no session key).
admin token create --token-file "$dir/token" >/dev/null
sim() {
    # shellcheck disable=SC2086
    php $ext tools/agent-sim.php --token-file "$dir/token" --cert-file "$dir/sim.pem" \
        --ca-cert-file "$dir/server-ca.pem" --state "$dir/sim-state.json" --quiet "$@" >>"$dir/sim.log" 2>&1
}
rc=0; sim --server "https://127.0.0.1:$enroll/" --steps register,contact || rc=$?
check "agent-sim enrolls over TLS" 0 "$rc"
check "its file holds its key and its certificate" 2 "$(grep -c -- '-----BEGIN \(PRIVATE KEY\|CERTIFICATE\)-----' "$dir/sim.pem")"
sim_agent=$(php -r 'echo json_decode(file_get_contents($argv[1]), true)["agentid"];' "$dir/sim-state.json")
check "its certificate was issued through REGISTER" "register" "$(sql "SELECT source FROM client_certificates WHERE agent_uuid = '$sim_agent'")"
rc=0; sim --server "https://127.0.0.1:$required/" --steps contact,inventory --plain || rc=$?
check "agent-sim with its certificate where one is required" 0 "$rc"
check "its inventory was stored" 1 "$(sql "SELECT COUNT(*) FROM inventories i JOIN agents a ON a.id = i.agent_id WHERE a.agent_uuid = '$sim_agent'")"

[ "$failed" -eq 0 ] || tail -n 20 "$dir/sim.log" "$dir/php-fpm.log" >&2
echo "tls: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
