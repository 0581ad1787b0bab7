#!/bin/sh
# Regenerates the vectors in this folder from independent encoders (Debian 12 packages):
#   sh tests/data/other/make.sh
# - brotli-Q.br: the reference brotli CLI (google/brotli 1.0.9), quality Q, of
#   ../wire/glpi-agent/04-inventory-partial.request.json
# - gzip-header-fields.gz: a gzip member with FTEXT, FHCRC, FEXTRA, FNAME and FCOMMENT set,
#   written field by field with Python's zlib (RFC 1952 section 2.3).
set -e
cd "$(dirname "$0")"
IN=../wire/glpi-agent/04-inventory-partial.request.json
for q in 0 5 11; do brotli -c -q $q "$IN" > brotli-$q.br; done
python3 - "$IN" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
flags = 0x01 | 0x02 | 0x04 | 0x08 | 0x10
head = b'\x1f\x8b\x08' + bytes([flags]) + struct.pack('<I', 0) + b'\x00\x03'
extra = b'GL' + struct.pack('<H', 5) + b'hello'
head += struct.pack('<H', len(extra)) + extra + b'inventory.json\x00' + b'a comment\x00'
head += struct.pack('<H', zlib.crc32(head) & 0xffff)
c = zlib.compressobj(6, zlib.DEFLATED, -15)
body = c.compress(data) + c.flush()
trailer = struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff)
open('gzip-header-fields.gz', 'wb').write(head + body + trailer)
PY
