<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decompress;

/**
 * compress()/decompress() against PHP's own zlib functions, in both directions, and the
 * edge cases where the extension mirrors them (see src/compression.rs).
 */
final class CompressionCrossCheckTest extends TestCase
{
    private const DATA = __DIR__ . '/../data';

    protected function setUp(): void
    {
        if (!extension_loaded('glpi_agent_protocol')) {
            self::markTestSkipped('the glpi_agent_protocol extension is not loaded');
        }
    }

    private static function inventory(): string
    {
        return file_get_contents(self::DATA . '/wire/glpi-agent/02-inventory-full.request.json');
    }

    /** @return iterable<string, array{string, string}> */
    public static function phpMade(): iterable
    {
        $in = self::inventory();
        foreach ([-1, 0, 1, 6, 9] as $l) {
            yield "gzcompress $l" => ['zlib', gzcompress($in, $l)];
            yield "gzencode $l" => ['gzip', gzencode($in, $l)];
            yield "gzdeflate $l" => ['deflate', gzdeflate($in, $l)];
        }
        yield 'zlib_encode raw' => ['deflate', zlib_encode($in, ZLIB_ENCODING_RAW)];
        yield 'zlib_encode gzip' => ['gzip', zlib_encode($in, ZLIB_ENCODING_GZIP)];
        yield 'zlib_encode deflate' => ['zlib', zlib_encode($in, ZLIB_ENCODING_DEFLATE)];
    }

    #[DataProvider('phpMade')]
    public function testReadsWhatPhpMakes(string $encoding, string $body): void
    {
        self::assertSame(self::inventory(), decompress($body, $encoding));
    }

    /** @return iterable<string, array{string, int, callable}> */
    public static function ours(): iterable
    {
        foreach ([-1, 0, 1, 6, 9] as $l) {
            yield "zlib $l" => ['zlib', $l, 'gzuncompress'];
            yield "gzip $l" => ['gzip', $l, 'gzdecode'];
            yield "deflate $l" => ['deflate', $l, 'gzinflate'];
            yield "zlib $l, zlib_decode" => ['zlib', $l, 'zlib_decode'];
            yield "gzip $l, zlib_decode" => ['gzip', $l, 'zlib_decode'];
        }
    }

    #[DataProvider('ours')]
    public function testPhpReadsWhatWeMake(string $encoding, int $level, callable $decode): void
    {
        $in = self::inventory();
        self::assertSame($in, $decode(compress($in, $encoding, $level)));
    }

    public function testDefaultZlibHeaderIsTheOneFusionInventoryAccepts(): void
    {
        self::assertSame("\x78\x9c", substr(compress('{"status":"ok"}', 'zlib'), 0, 2));
        self::assertSame(substr(gzcompress('x'), 0, 2), substr(compress('x', 'zlib'), 0, 2));
    }

    public function testBrotliRoundTrip(): void
    {
        $in = self::inventory();
        foreach ([-1, 0, 5, 11] as $l) {
            self::assertSame($in, decompress(compress($in, 'br', $l), 'br'));
        }
        self::assertSame(
            file_get_contents(self::DATA . '/wire/glpi-agent/04-inventory-partial.request.json'),
            decompress(file_get_contents(self::DATA . '/other/brotli-11.br'), 'BR'),
        );
    }

    public function testTrailingBytesAreIgnoredLikePhp(): void
    {
        $in = self::inventory();
        $z = gzcompress($in) . 'trailing garbage';
        self::assertSame(gzuncompress($z), decompress($z, 'zlib'));
        $g = gzencode($in) . gzencode('second member');
        self::assertSame(gzdecode($g), decompress($g, 'gzip'));
        $d = gzdeflate($in) . "\0\0\0";
        self::assertSame(gzinflate($d), decompress($d, 'deflate'));
    }

    /** @return iterable<string, array{string, string}> */
    public static function broken(): iterable
    {
        $z = gzcompress(self::inventory());
        yield 'empty zlib' => ['zlib', ''];
        yield 'cut zlib' => ['zlib', substr($z, 0, intdiv(strlen($z), 2))];
        yield 'zlib without its checksum' => ['zlib', substr($z, 0, -4)];
        yield 'zlib given as gzip' => ['gzip', $z];
        yield 'zlib given as deflate' => ['deflate', $z];
        yield 'bad checksum' => ['zlib', substr($z, 0, -1) . chr(ord($z[strlen($z) - 1]) ^ 1)];
    }

    #[DataProvider('broken')]
    public function testPhpAndWeRefuseTheSameBrokenStreams(string $encoding, string $body): void
    {
        $php = ['zlib' => 'gzuncompress', 'gzip' => 'gzdecode', 'deflate' => 'gzinflate'][$encoding];
        self::assertFalse(@$php($body));
        try {
            decompress($body, $encoding);
            self::fail('no exception');
        } catch (ProtocolException $e) {
            self::assertSame(400, $e->getCode());
            self::assertContains($e->getToken(), ['corrupt compressed data', 'truncated compressed data']);
        }
    }

    public function testCapBehavesLikeZlibDecodeMaxLength(): void
    {
        $in = self::inventory();
        $z = gzcompress($in);
        self::assertSame($in, decompress($z, 'zlib', strlen($in)));
        self::assertSame($in, zlib_decode($z, strlen($in)));
        self::assertFalse(@zlib_decode($z, strlen($in) - 1));
        try {
            decompress($z, 'zlib', strlen($in) - 1);
            self::fail('no exception');
        } catch (ProtocolException $e) {
            self::assertSame(413, $e->getCode());
            self::assertSame('payload too large', $e->getToken());
        }
    }

    public function testBombIsStoppedByTheRatio(): void
    {
        // 256 MiB of zeros: PHP's gzuncompress would allocate all of it.
        $ctx = deflate_init(ZLIB_ENCODING_DEFLATE, ['level' => 9]);
        $bomb = '';
        $chunk = str_repeat("\0", 1 << 20);
        for ($i = 0; $i < 256; $i++) {
            $bomb .= deflate_add($ctx, $chunk, ZLIB_NO_FLUSH);
        }
        $bomb .= deflate_add($ctx, '', ZLIB_FINISH);
        try {
            decompress($bomb, 'zlib');
            self::fail('no exception');
        } catch (ProtocolException $e) {
            self::assertSame(413, $e->getCode());
            self::assertSame('compression ratio too high', $e->getToken());
        }
    }

    public function testCapturedAgentBodies(): void
    {
        foreach (glob(self::DATA . '/wire/*/*.zlib') as $raw) {
            $stem = substr($raw, 0, -strlen('.zlib'));
            $plain = is_file("$stem.json") ? "$stem.json" : "$stem.xml";
            $body = file_get_contents($raw);
            self::assertSame(gzuncompress($body), decompress($body, 'zlib'), $raw);
            self::assertSame(file_get_contents($plain), decompress($body, 'zlib'), $raw);
        }
    }

    public function testBadNamesAndLevelsAreValueErrors(): void
    {
        foreach ([['x', 'brotli', -1], ['x', 'zlib', 10], ['x', 'br', 12], ['x', 'gzip', -2]] as [$d, $e, $l]) {
            try {
                compress($d, $e, $l);
                self::fail("no ValueError for $e $l");
            } catch (\ValueError) {
                self::assertTrue(true);
            }
        }
    }
}
