#!/bin/sh
# Fills fuzz/corpus/x509_certificate/ and fuzz/corpus/x509_csr/ with requests made by
# openssl (RSA, EC P-256 and P-384, Ed25519, a 1024-bit RSA one, PEM and DER) and
# client certificates signed by a throwaway CA, plain and URL-escaped. Needs openssl;
# without it, leaves the corpora as they are. Run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v openssl >/dev/null || { echo "seed-x509: no openssl, corpora unchanged"; exit 0; }
certs="$here/corpus/x509_certificate"
csrs="$here/corpus/x509_csr"
mkdir -p "$certs" "$csrs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" \
    -out "$work/ca.pem" -subj "/CN=Seed CA" -days 2 2>/dev/null
i=0
for key in "rsa:2048" "rsa:1024" "ec -pkeyopt ec_paramgen_curve:P-256" "ec -pkeyopt ec_paramgen_curve:P-384" "ed25519"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # $key holds the option and its arguments
    openssl req -new -newkey $key -nodes -keyout "$work/$i.key" -subj "/CN=3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27/O=Seed" \
        -out "$csrs/req-$i.pem" 2>/dev/null
    openssl req -in "$csrs/req-$i.pem" -outform DER -out "$csrs/req-$i.der"
    printf 'extendedKeyUsage=clientAuth\nsubjectAltName=URI:urn:uuid:3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27\n' >"$work/ext"
    openssl x509 -req -in "$csrs/req-$i.pem" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 1 \
        -extfile "$work/ext" -out "$certs/cert-$i.pem" 2>/dev/null
    openssl x509 -in "$certs/cert-$i.pem" -outform DER -out "$certs/cert-$i.der"
    php -r 'echo rawurlencode(file_get_contents($argv[1]));' "$certs/cert-$i.pem" >"$certs/cert-$i.escaped" 2>/dev/null || true
done
echo "seeded: x509_certificate x509_csr"
