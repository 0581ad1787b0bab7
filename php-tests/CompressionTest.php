<?php
// compress()/decompress() and compressed request bodies, cross-checked against PHP's own zlib
// functions: what gzcompress/gzencode/gzdeflate make must decode, what compress() makes must
// decode with gzuncompress/gzdecode/gzinflate/zlib_decode, and decoding stays bounded.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

require_once __DIR__ . '/ProtocolAssertions.php';

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decompress;

final class CompressionTest extends TestCase
{
    use ProtocolAssertions;

    private const TOO_BIG = ['compression ratio too high', 'payload too large'];
    private const BROKEN = ['truncated compressed data', 'corrupt compressed data'];
    private const MAX_DECODED_BYTES = 'glpi_agent_protocol.max_decoded_bytes';
    private const MAX_RATIO = 'glpi_agent_protocol.max_ratio';

    /** zlib stream of 100 MiB of zeros, built once by streaming (never held uncompressed). */
    private static ?string $zlibBomb = null;
    private static ?string $gzipBomb = null;

    protected function tearDown(): void
    {
        ini_restore(self::MAX_DECODED_BYTES);
        ini_restore(self::MAX_RATIO);
        ini_restore('glpi_agent_protocol.max_ratio_brotli');
    }

    /** @return array<string, array{string}> */
    public static function payloads(): array
    {
        $bytes = '';
        for ($i = 0; $i < 256; $i++) {
            $bytes .= chr($i);
        }
        return [
            'empty' => [''],
            'one byte' => ['x'],
            'every byte value' => [str_repeat($bytes, 40)],
            'captured inventory' => [self::inventoryJson()],
            '1 MB random-ish' => [self::noise(1 << 20)],
        ];
    }

    /** PHP's encoders, keyed by our encoding name. */
    private const PHP_ENCODERS = ['zlib' => 'gzcompress', 'gzip' => 'gzencode', 'deflate' => 'gzdeflate'];
    /** PHP's decoders, keyed by our encoding name. */
    private const PHP_DECODERS = ['zlib' => 'gzuncompress', 'gzip' => 'gzdecode', 'deflate' => 'gzinflate'];

    /** @return array<string, array{string, string, int}> */
    public static function phpStreams(): array
    {
        $cases = [];
        foreach (self::payloads() as $name => [$payload]) {
            foreach (self::PHP_ENCODERS as $encoding => $encoder) {
                // The megabyte at every level would take seconds without adding a case.
                $levels = strlen($payload) > 100000 ? [-1, 0, 1, 9] : range(-1, 9);
                foreach ($levels as $level) {
                    $cases["$encoder level $level, $name"] = [$encoding, $encoder, $level, $payload];
                }
            }
        }
        return $cases;
    }

    /** @dataProvider phpStreams */
    public function testWhatPhpCompressesDecompresses(string $encoding, string $encoder, int $level, string $payload): void
    {
        $compressed = $encoder($payload, $level);
        $this->assertSame($payload, decompress($compressed, $encoding));
        $this->assertSame($payload, decompress($compressed, strtoupper($encoding)), 'names in any case');
    }

    /** @dataProvider payloads */
    public function testZlibEncodeOutputDecompresses(string $payload): void
    {
        $this->assertSame($payload, decompress(zlib_encode($payload, ZLIB_ENCODING_DEFLATE), 'zlib'));
        $this->assertSame($payload, decompress(zlib_encode($payload, ZLIB_ENCODING_GZIP), 'gzip'));
        $this->assertSame($payload, decompress(zlib_encode($payload, ZLIB_ENCODING_RAW), 'deflate'));
    }

    /** @return array<string, array{string, int}> */
    public static function phpMadeRequestBodies(): array
    {
        $types = [
            'zlib' => ['application/x-compress-zlib', 'application/x-zlib'],
            'gzip' => ['application/x-compress-gzip', 'application/x-gzip'],
            'deflate' => ['application/x-compress-deflate', 'application/x-deflate'],
        ];
        $cases = [];
        foreach ($types as $encoding => $names) {
            foreach ($names as $type) {
                foreach (range(-1, 9) as $level) {
                    $cases["$type level $level"] = [$encoding, $type, $level];
                }
            }
        }
        return $cases;
    }

    /** @dataProvider phpMadeRequestBodies */
    public function testWhatPhpCompressesDecodesAsARequest(string $encoding, string $type, int $level): void
    {
        $json = self::inventoryJson();
        $raw = (self::PHP_ENCODERS[$encoding])($json, $level);
        $request = Request::decode($raw, ['Content-Type' => $type]);
        $this->assertSame($encoding, $request->compression());
        $this->assertSame('json', $request->mode());
        $this->assertSame($json, $request->body());
        $this->assertEquals(json_decode($json), $request->content());
        $this->assertEquals(json_decode($json, true), Request::decode($raw, ['Content-Type' => $type], ['assoc' => true])->content());
    }

    public function testZlibAndGzipBodiesAreRecognisedWithoutAContentType(): void
    {
        $json = self::inventoryJson();
        foreach (range(-1, 9) as $level) {
            foreach (['zlib' => gzcompress($json, $level), 'gzip' => gzencode($json, $level)] as $encoding => $raw) {
                foreach ([[], ['Content-Type' => 'text/plain'], ['Content-Type' => '']] as $headers) {
                    $request = Request::decode($raw, $headers);
                    $this->assertSame($encoding, $request->compression(), "level $level");
                    $this->assertSame($json, $request->body());
                }
            }
        }
    }

    /** @return array<string, array{string, int, string}> */
    public static function ourStreams(): array
    {
        $cases = [];
        foreach (self::payloads() as $name => [$payload]) {
            foreach (['zlib', 'gzip', 'deflate'] as $encoding) {
                $levels = strlen($payload) > 100000 ? [-1, 0, 1, 9] : range(-1, 9);
                foreach ($levels as $level) {
                    $cases["$encoding level $level, $name"] = [$encoding, $level, $payload];
                }
            }
        }
        return $cases;
    }

    /** @dataProvider ourStreams */
    public function testWhatWeCompressPhpDecompresses(string $encoding, int $level, string $payload): void
    {
        $compressed = compress($payload, $encoding, $level);
        $this->assertSame($payload, (self::PHP_DECODERS[$encoding])($compressed));
        $this->assertSame($payload, zlib_decode($compressed), 'zlib_decode sniffs zlib, gzip and raw deflate');
        $this->assertSame($payload, decompress($compressed, $encoding));
        if ($encoding === 'gzip') {
            $this->assertStringStartsWith("\x1f\x8b\x08", $compressed);
        }
    }

    public function testDefaultZlibLevelWritesThe789cHeader(): void
    {
        foreach (['', 'x', self::inventoryJson(), self::noise(70000)] as $payload) {
            $this->assertStringStartsWith("\x78\x9c", compress($payload, 'zlib'));
            $this->assertStringStartsWith("\x78\x9c", compress($payload, 'zlib', -1));
            $this->assertStringStartsWith("\x78\x9c", compress($payload, 'zlib', 6));
            // The same header as PHP's default.
            $this->assertSame(substr(gzcompress($payload), 0, 2), substr(compress($payload, 'zlib'), 0, 2));
        }
    }

    /**
     * The default level codes short bodies with its own fixed-Huffman encoder and longer
     * ones with zlib-rs: PHP's zlib must read both, at every size around the switch.
     */
    public function testDefaultLevelBodiesOfEverySizeDecodeWithPhp(): void
    {
        $json = str_repeat(self::inventoryJson(), 5);
        $noise = self::noise(9000);
        $sizes = array_merge(range(0, 300), range(4000, 4200), [8191, 8192, 8193, strlen($json)]);
        foreach ($sizes as $n) {
            foreach (['json' => substr($json, 0, $n), 'noise' => substr($noise, 0, $n), 'run' => str_repeat('a', $n)] as $kind => $payload) {
                foreach (self::PHP_DECODERS as $encoding => $decoder) {
                    $compressed = compress($payload, $encoding);
                    $this->assertSame($payload, $decoder($compressed), "$encoding, $kind of $n bytes");
                }
                $this->assertStringStartsWith("\x78\x9c", compress($payload, 'zlib'));
            }
        }
    }

    public function testZlibHeaderOfEveryLevelMatchesPhp(): void
    {
        $json = self::inventoryJson();
        foreach (range(0, 9) as $level) {
            $this->assertSame(
                bin2hex(substr(gzcompress($json, $level), 0, 2)),
                bin2hex(substr(compress($json, 'zlib', $level), 0, 2)),
                "level $level"
            );
        }
    }

    public function testNoneIsTheIdentity(): void
    {
        foreach (self::payloads() as [$payload]) {
            $this->assertSame($payload, compress($payload, 'none'));
            $this->assertSame($payload, decompress($payload, 'none'));
        }
    }

    /** @dataProvider payloads */
    public function testBrotliRoundTrip(string $payload): void
    {
        // Quality 11 (the default) on a megabyte of noise takes seconds: the big payload gets
        // the fast qualities only.
        $levels = strlen($payload) > 100000 ? [0, 1, 5] : array_merge([-1], range(0, 11));
        foreach ($levels as $level) {
            $compressed = compress($payload, 'br', $level);
            $this->assertSame($payload, decompress($compressed, 'br'), "quality $level");
            $this->assertSame($payload, decompress($compressed, 'BR'), "quality $level");
        }
    }

    public function testReferenceBrotliStreamsDecode(): void
    {
        // Made by the brotli command line tool (tests/data/other/make.sh).
        foreach ([0, 5, 11] as $quality) {
            $raw = self::data("other/brotli-$quality.br");
            $this->assertSame(self::inventoryJson(), decompress($raw, 'br'), "quality $quality");
            foreach (['application/x-compress-br', 'application/x-br'] as $type) {
                $request = Request::decode($raw, ['Content-Type' => $type]);
                $this->assertSame('br', $request->compression());
                $this->assertSame(self::inventoryJson(), $request->body());
            }
        }
    }

    public function testCommittedPhpVectorsDecode(): void
    {
        // tests/data/php/make.php wrote these with PHP 8.2's zlib.
        foreach (glob(PROJECT_ROOT . '/tests/data/php/*.{zlib,gz,deflate}', GLOB_BRACE) as $file) {
            if (basename($file) === 'two-members.gz') {
                continue;
            }
            $encoding = ['zlib' => 'zlib', 'gz' => 'gzip', 'deflate' => 'deflate'][pathinfo($file, PATHINFO_EXTENSION)];
            $this->assertSame(self::inventoryJson(), decompress(file_get_contents($file), $encoding), basename($file));
        }
        $this->assertSame(self::inventoryJson(), decompress(self::data('other/gzip-header-fields.gz'), 'gzip'));
    }

    public function testOnlyTheFirstGzipMemberIsReadLikeGzdecode(): void
    {
        $two = self::data('php/two-members.gz');
        $this->assertSame(gzdecode($two), decompress($two, 'gzip'));
        $this->assertSame("first member\n", decompress($two, 'gzip'));
    }

    public function testBytesAfterTheStreamAreIgnoredLikePhp(): void
    {
        $json = self::inventoryJson();
        foreach (self::PHP_ENCODERS as $encoding => $encoder) {
            $raw = $encoder($json) . "junk after the end";
            $this->assertSame((self::PHP_DECODERS[$encoding])($raw), decompress($raw, $encoding), $encoding);
            $this->assertSame($json, decompress($raw, $encoding), $encoding);
        }
    }

    public function testEmptyInputIsTruncatedForEveryCompressedEncoding(): void
    {
        foreach (['zlib', 'gzip', 'deflate', 'br'] as $encoding) {
            $this->assertProtocolError(400, 'truncated compressed data', fn () => decompress('', $encoding), $encoding);
        }
        $this->assertSame('', decompress('', 'none'));
    }

    private static function zlibBomb(): string
    {
        return self::$zlibBomb ??= self::zeros(ZLIB_ENCODING_DEFLATE);
    }

    /** The zlib bomb's deflate data in a gzip member (RFC 1952): header, data, CRC-32, size. */
    private static function gzipBomb(): string
    {
        if (self::$gzipBomb === null) {
            $crc = hash_init('crc32b');
            $chunk = str_repeat("\0", 1 << 20);
            for ($i = 0; $i < 100; $i++) {
                hash_update($crc, $chunk);
            }
            $trailer = pack('V', hexdec(hash_final($crc))) . pack('V', (100 << 20) & 0xffffffff);
            self::$gzipBomb = "\x1f\x8b\x08\0\0\0\0\0\0\x03" . substr(self::zlibBomb(), 2, -4) . $trailer;
        }
        return self::$gzipBomb;
    }

    /** 100 MiB of zeros through PHP's incremental deflate, a megabyte at a time. */
    private static function zeros(int $encoding, int $mebibytes = 100): string
    {
        $ctx = deflate_init($encoding, ['level' => 6]);
        $chunk = str_repeat("\0", 1 << 20);
        $out = '';
        for ($i = 0; $i < $mebibytes; $i++) {
            $out .= deflate_add($ctx, $chunk, ZLIB_NO_FLUSH);
        }
        return $out . deflate_add($ctx, '', ZLIB_FINISH);
    }

    /** PHP's incremental inflate reads the whole stream, checksum included, to 100 MiB of zeros. */
    private static function assertPhpInflatesToZeros(int $encoding, string $stream): void
    {
        $ctx = inflate_init($encoding);
        $total = 0;
        foreach (str_split($stream, 1024) as $piece) {
            $out = inflate_add($ctx, $piece, ZLIB_SYNC_FLUSH);
            self::assertSame(strlen($out), strspn($out, "\0"), 'only zeros');
            $total += strlen($out);
        }
        self::assertSame(ZLIB_STREAM_END, inflate_get_status($ctx), 'a complete stream');
        self::assertSame(100 << 20, $total);
    }

    public function testAZlibBombIsStoppedWithA413(): void
    {
        $bomb = self::zlibBomb();
        $this->assertLessThan(200000, strlen($bomb), 'about a thousand to one');
        $head = inflate_add(inflate_init(ZLIB_ENCODING_DEFLATE), substr($bomb, 0, 1024), ZLIB_SYNC_FLUSH);
        $this->assertSame(str_repeat("\0", strlen($head)), $head, 'PHP made it: a real zlib stream of zeros');
        self::assertPhpInflatesToZeros(ZLIB_ENCODING_GZIP, self::gzipBomb());
        $this->assertProtocolError(413, self::TOO_BIG, fn () => decompress($bomb, 'zlib'));
        $this->assertProtocolError(413, self::TOO_BIG, fn () => decompress(self::gzipBomb(), 'gzip'));
        // Raw deflate: the same stream without its two-byte header and Adler-32.
        $this->assertProtocolError(413, self::TOO_BIG, fn () => decompress(substr($bomb, 2, -4), 'deflate'));
        foreach ([['Content-Type' => 'application/x-compress-zlib'], [], cgi_vars(['CONTENT_TYPE' => 'application/x-zlib', 'REQUEST_METHOD' => 'POST'])] as $headers) {
            $this->assertProtocolError(413, self::TOO_BIG, fn () => Request::decode($bomb, $headers));
        }
        $this->assertProtocolError(413, self::TOO_BIG, fn () => Request::decode(self::gzipBomb(), ['Content-Type' => 'application/x-compress-gzip']));
    }

    public function testTheRatioLimitStopsABombBeforeTheSizeLimit(): void
    {
        // With the size cap out of the way, the ratio still stops it (after about 1 MiB).
        $e = $this->assertProtocolError(413, 'compression ratio too high', fn () => decompress(self::zlibBomb(), 'zlib', PHP_INT_MAX));
        $this->assertStringContainsString('200', $e->getMessage(), 'the default ratio limit');
        ini_set(self::MAX_DECODED_BYTES, (string) (1 << 40));
        $this->assertProtocolError(413, 'compression ratio too high', fn () => Request::decode(self::zlibBomb(), ['Content-Type' => 'application/x-compress-zlib']));
    }

    public function testMaxRatioOptionAndDirective(): void
    {
        // 2 MiB of zeros: past the 1 MiB grace, about a thousand to one.
        $zeros = self::zeros(ZLIB_ENCODING_DEFLATE, 2);
        $headers = ['Content-Type' => 'application/x-compress-zlib'];
        $this->assertProtocolError(413, 'compression ratio too high', fn () => decompress($zeros, 'zlib'));
        $body = str_repeat("\0", 2 << 20);
        $this->assertSame(gzuncompress($zeros), $body);
        // Once the ratio check lets them through, the zeros fail as JSON: that shows the limit moved.
        $this->assertProtocolError(400, 'malformed json', fn () => Request::decode($zeros, $headers, ['max_ratio' => 5000]));
        $this->assertProtocolError(413, 'compression ratio too high', fn () => Request::decode($zeros, $headers, ['max_ratio' => 100]));
        $this->assertNotFalse(ini_set(self::MAX_RATIO, '5000'));
        $this->assertSame($body, decompress($zeros, 'zlib'));
        $this->assertProtocolError(400, 'malformed json', fn () => Request::decode($zeros, $headers));
    }

    public function testBrotliHasItsOwnRatioLimit(): void
    {
        // 2 MiB of zeros: brotli's large window makes that a few dozen bytes.
        $zeros = str_repeat("\0", 2 << 20);
        $bomb = compress($zeros, 'br', 5);
        $this->assertLessThan(2000, strlen($bomb));
        $headers = ['Content-Type' => 'application/x-compress-br'];
        $this->assertProtocolError(413, 'compression ratio too high', fn () => decompress($bomb, 'br'));
        $this->assertProtocolError(413, 'compression ratio too high', fn () => Request::decode($bomb, $headers));
        $this->assertProtocolError(400, 'malformed json', fn () => Request::decode($bomb, $headers, ['max_ratio_brotli' => 1000000]));
        $this->assertProtocolError(413, 'compression ratio too high', fn () => Request::decode($bomb, $headers, ['max_ratio' => 1000000]), 'max_ratio is for zlib, gzip and deflate');
        $this->assertNotFalse(ini_set('glpi_agent_protocol.max_ratio_brotli', '1000000'));
        $this->assertSame($zeros, decompress($bomb, 'br'));
        ini_restore('glpi_agent_protocol.max_ratio_brotli');
        $this->assertProtocolError(413, 'compression ratio too high', fn () => decompress($bomb, 'br'));
    }

    public function testMaxBytesArgument(): void
    {
        $payload = str_repeat('a', 1000);
        foreach (['zlib', 'gzip', 'deflate', 'br', 'none'] as $encoding) {
            $raw = compress($payload, $encoding);
            $this->assertSame($payload, decompress($raw, $encoding, 1000), $encoding);
            $e = $this->assertProtocolError(413, 'payload too large', fn () => decompress($raw, $encoding, 999), $encoding);
            $this->assertStringContainsString('999', $e->getMessage());
        }
        $this->assertValueError(fn () => decompress(gzcompress($payload), 'zlib', -1));
    }

    public function testCapsSmallerThanTheFirstBufferAreExactToo(): void
    {
        // Caps below the decoder's first 64-byte reservation once made it panic.
        $ten = '0123456789';
        foreach (['zlib', 'gzip', 'deflate', 'br', 'none'] as $encoding) {
            $raw = compress($ten, $encoding);
            foreach ([1, 9, 10, 11, 63, 64, 65] as $max) {
                if ($max >= 10) {
                    $this->assertSame($ten, decompress($raw, $encoding, $max), "$encoding cap $max");
                    continue;
                }
                $this->assertProtocolError(413, 'payload too large', fn () => decompress($raw, $encoding, $max), "$encoding cap $max");
                $this->assertProtocolError(413, 'payload too large', fn () => Request::decode($raw, ['Content-Type' => $encoding === 'none' ? 'application/json' : "application/x-compress-$encoding"], ['max_decoded_bytes' => $max]), "$encoding cap $max");
            }
        }
        $this->assertProtocolError(413, 'payload too large', fn () => decompress(gzencode(self::inventoryJson()), 'gzip', 1));
    }

    public function testMaxDecodedBytesOption(): void
    {
        $json = self::inventoryJson();
        $n = strlen($json);
        $cases = [
            'application/x-compress-zlib' => gzcompress($json),
            'application/x-compress-gzip' => gzencode($json),
            'application/x-compress-deflate' => gzdeflate($json),
            'application/x-compress-br' => compress($json, 'br'),
            'application/json' => $json,
        ];
        foreach ($cases as $type => $raw) {
            $headers = ['Content-Type' => $type];
            $this->assertSame($json, Request::decode($raw, $headers, ['max_decoded_bytes' => $n])->body(), $type);
            $this->assertProtocolError(413, 'payload too large', fn () => Request::decode($raw, $headers, ['max_decoded_bytes' => $n - 1]), $type);
        }
        foreach ([0, -1, '100', 1.5, null] as $bad) {
            $this->assertValueError(fn () => Request::decode($json, [], ['max_decoded_bytes' => $bad]), var_export($bad, true));
        }
    }

    public function testMaxDecodedBytesDirective(): void
    {
        $json = self::inventoryJson();
        $n = strlen($json);
        $raw = gzcompress($json);
        $headers = ['Content-Type' => 'application/x-compress-zlib'];

        $this->assertSame('67108864', ini_get(self::MAX_DECODED_BYTES), 'the default is 64 MiB');
        $this->assertNotFalse(ini_set(self::MAX_DECODED_BYTES, (string) ($n - 1)));
        $this->assertProtocolError(413, 'payload too large', fn () => decompress($raw, 'zlib'));
        $this->assertProtocolError(413, 'payload too large', fn () => Request::decode($raw, $headers));
        $this->assertProtocolError(413, 'payload too large', fn () => Request::decode($json, ['Content-Type' => 'application/json']));
        // The argument and the option take precedence over the directive.
        $this->assertSame($json, decompress($raw, 'zlib', $n));
        $this->assertSame($json, Request::decode($raw, $headers, ['max_decoded_bytes' => $n])->body());

        $this->assertNotFalse(ini_set(self::MAX_DECODED_BYTES, (string) $n));
        $this->assertSame($json, decompress($raw, 'zlib'));
        $this->assertSame($json, Request::decode($raw, $headers)->body());

        // Values that are not a positive whole number are refused by ini_set itself.
        foreach (['0', '-5', 'lots', ''] as $bad) {
            $this->assertFalse(ini_set(self::MAX_DECODED_BYTES, $bad), var_export($bad, true));
            $this->assertSame((string) $n, ini_get(self::MAX_DECODED_BYTES));
        }
    }

    /** @return array<string, array{string, string}> */
    public static function smallStreams(): array
    {
        $json = substr(self::inventoryJson(), 0, 600);
        return [
            'gzcompress' => ['zlib', gzcompress($json)],
            'gzencode' => ['gzip', gzencode($json)],
            'gzdeflate' => ['deflate', gzdeflate($json)],
            'compress zlib' => ['zlib', compress($json, 'zlib')],
            'compress gzip' => ['gzip', compress($json, 'gzip')],
            'compress deflate' => ['deflate', compress($json, 'deflate')],
            'compress deflate, an answer' => ['deflate', compress('{"status":"ok","expiration":24}', 'deflate')],
            'compress deflate, stored' => ['deflate', compress(self::noise(100), 'deflate')],
            'compress zlib, stored' => ['zlib', compress(self::noise(100), 'zlib')],
            'compress br' => ['br', compress($json, 'br')],
        ];
    }

    /** @dataProvider smallStreams */
    public function testEveryPrefixOfAStreamIsRefused(string $encoding, string $stream): void
    {
        $type = ['zlib' => 'application/x-compress-zlib', 'gzip' => 'application/x-compress-gzip',
            'deflate' => 'application/x-compress-deflate', 'br' => 'application/x-compress-br'][$encoding];
        for ($cut = 0; $cut < strlen($stream); $cut++) {
            $prefix = substr($stream, 0, $cut);
            $this->assertProtocolError(400, self::BROKEN, fn () => decompress($prefix, $encoding), "cut at $cut");
            $this->assertProtocolError(400, self::BROKEN, fn () => Request::decode($prefix, ['Content-Type' => $type]), "cut at $cut");
            if ($encoding === 'zlib' || $encoding === 'deflate') {
                // PHP agrees. (Its gzdecode accepts some gzip streams cut inside the trailer,
                // whose checksum is then unchecked; this decoder does not.)
                $this->assertFalse(@(self::PHP_DECODERS[$encoding])($prefix), "PHP on the cut at $cut");
            }
        }
        $this->assertProtocolError(400, 'truncated compressed data', fn () => decompress(substr($stream, 0, intdiv(strlen($stream), 2)), $encoding));
        if ($encoding !== 'br') {
            // Only the last byte of the checksum or size trailer missing.
            $this->assertProtocolError(400, 'truncated compressed data', fn () => decompress(substr($stream, 0, -1), $encoding));
        }
    }

    public function testCorruptStreamsAreRefusedLikePhpRefusesThem(): void
    {
        $json = self::inventoryJson();
        $zlib = gzcompress($json);
        $gzip = gzencode($json);
        $flip = static function (string $s, int $at, int $mask): string {
            $s[$at] = chr(ord($s[$at]) ^ $mask);
            return $s;
        };
        $cases = [
            'zlib header check bits' => ['zlib', $flip($zlib, 1, 0x01)],
            'zlib method' => ['zlib', $flip($zlib, 0, 0x01)],
            'zlib preset dictionary' => ['zlib', "\x78\xbb" . substr($zlib, 2)],
            'zlib Adler-32' => ['zlib', $flip($zlib, strlen($zlib) - 1, 0x40)],
            'gzip magic' => ['gzip', $flip($gzip, 0, 0xff)],
            'gzip method' => ['gzip', $flip($gzip, 2, 0x01)],
            'gzip CRC-32' => ['gzip', $flip($gzip, strlen($gzip) - 6, 0x10)],
            'gzip size' => ['gzip', $flip($gzip, strlen($gzip) - 2, 0x10)],
            'zlib read as gzip' => ['gzip', $zlib],
            'gzip read as zlib' => ['zlib', $gzip],
            'plain JSON read as zlib' => ['zlib', $json],
            'deflate block type 3' => ['deflate', "\x07\x00"],
        ];
        foreach ($cases as $name => [$encoding, $raw]) {
            $this->assertProtocolError(400, 'corrupt compressed data', fn () => decompress($raw, $encoding), $name);
            $this->assertFalse(@(self::PHP_DECODERS[$encoding])($raw), "PHP refuses the $name too");
        }
        $this->assertProtocolError(400, 'corrupt compressed data', fn () => decompress("\x11\x01\x8c\xc1", 'br'), 'brotli reserved window bits');
        $this->assertProtocolError(
            400,
            'corrupt compressed data',
            fn () => Request::decode($flip($zlib, strlen($zlib) - 1, 0x40), ['Content-Type' => 'application/x-compress-zlib'])
        );
    }

    public function testFlippedBytesInChecksummedStreamsNeverPassUnnoticed(): void
    {
        $json = substr(self::inventoryJson(), 0, 500);
        foreach (['zlib' => gzcompress($json, 9), 'gzip' => gzencode($json, 9)] as $encoding => $stream) {
            for ($i = 0; $i < strlen($stream); $i++) {
                $bad = $stream;
                $bad[$i] = chr(ord($bad[$i]) ^ 0x55);
                try {
                    $out = decompress($bad, $encoding);
                    // Only gzip's MTIME, XFL and OS header bytes may change without effect.
                    $this->assertTrue($encoding === 'gzip' && $i >= 4 && $i < 10 && $out === $json, "$encoding flip at $i");
                } catch (ProtocolException $e) {
                    $this->assertSame(400, $e->getCode(), "$encoding flip at $i");
                    $this->assertContains($e->getToken(), self::BROKEN);
                }
            }
        }
    }

    public function testUnknownEncodingsAndLevelsAreCallerErrors(): void
    {
        foreach (['brotli', 'lzma', 'x-gzip', 'application/x-compress-zlib', '', ' zlib'] as $name) {
            $this->assertValueError(fn () => decompress('x', $name), $name);
            $this->assertValueError(fn () => compress('x', $name), $name);
        }
        foreach ([['zlib', 10], ['zlib', -2], ['gzip', 10], ['deflate', 42], ['br', 12], ['br', -5], ['none', 1], ['zlib', PHP_INT_MAX]] as [$encoding, $level]) {
            $this->assertValueError(fn () => compress('x', $encoding, $level), "$encoding level $level");
        }
    }
}
