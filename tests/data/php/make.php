<?php
// Regenerates the PHP-made vectors in this folder:
//   php tests/data/php/make.php
// Input: tests/data/wire/glpi-agent/04-inventory-partial.request.json (2,040 bytes).
// Output, for each level L in -1, 0, 1, 6, 9:
//   gzcompress-L.zlib (RFC 1950), gzencode-L.gz (RFC 1952), gzdeflate-L.deflate (RFC 1951)
// plus zlib_encode with ZLIB_ENCODING_* for the default level.
$dir = __DIR__;
$in = file_get_contents($dir . '/../wire/glpi-agent/04-inventory-partial.request.json');
foreach ([-1, 0, 1, 6, 9] as $l) {
    $n = $l < 0 ? 'default' : (string)$l;
    file_put_contents("$dir/gzcompress-$n.zlib", gzcompress($in, $l));
    file_put_contents("$dir/gzencode-$n.gz", gzencode($in, $l));
    file_put_contents("$dir/gzdeflate-$n.deflate", gzdeflate($in, $l));
}
file_put_contents("$dir/zlib_encode-raw.deflate", zlib_encode($in, ZLIB_ENCODING_RAW));
file_put_contents("$dir/zlib_encode-gzip.gz", zlib_encode($in, ZLIB_ENCODING_GZIP));
file_put_contents("$dir/zlib_encode-deflate.zlib", zlib_encode($in, ZLIB_ENCODING_DEFLATE));
// A two-member gzip body: PHP's gzdecode returns the first member only.
file_put_contents("$dir/two-members.gz", gzencode("first member\n") . gzencode("second member\n"));
printf("%s, zlib %s\n", PHP_VERSION, ZLIB_VERSION);
