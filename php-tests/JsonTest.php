<?php
// GlpiAgentProtocol\decode_json against PHP's own json_decode: the same values (types,
// key types, property order, -0.0, INF) for hand-written traps, thousands of random
// documents and real inventories, and the same failures, mapped to the same error kind.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\decode_json;

final class JsonTest extends TestCase
{
    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('glpi_agent_protocol')) {
            self::fail('load the extension: php -d extension=.../libglpi_agent_protocol.so phpunit ...');
        }
    }

    /** What json_last_error() becomes in our exception message. */
    private static function expectedKind(int $jsonError): string
    {
        switch ($jsonError) {
            case JSON_ERROR_DEPTH:
                return 'json nests deeper';
            case JSON_ERROR_UTF8:
                return 'invalid utf-8';
            case JSON_ERROR_INVALID_PROPERTY_NAME:
                return 'property name';
            default:
                return 'malformed json';
        }
    }

    /**
     * Decodes with both and asserts the same outcome. serialize() tells int from string
     * keys, 0.0 from -0.0, and keeps property order and classes, so equal output means
     * identical values.
     */
    private function assertSameAsJsonDecode(string $json, bool $assoc, int $depth = 512, bool $substitute = false): void
    {
        $expected = json_decode($json, $assoc, $depth, $substitute ? JSON_INVALID_UTF8_SUBSTITUTE : 0);
        $error = json_last_error();
        $label = 'json ' . json_encode(bin2hex(substr($json, 0, 300))) . ($assoc ? ' assoc' : ' objects') . " depth $depth"
            . ($substitute ? ' substitute' : '');
        try {
            $actual = decode_json($json, $assoc, $depth, $substitute ? 'substitute' : 'error');
        } catch (\Exception $e) {
            $this->assertNotSame(JSON_ERROR_NONE, $error, "$label: json_decode accepts it but decode_json threw: " . $e->getMessage());
            $this->assertSame(400, $e->getCode(), $label);
            $this->assertStringContainsString(self::expectedKind($error), $e->getMessage(), "$label (json_last_error $error)");
            return;
        }
        $this->assertSame(JSON_ERROR_NONE, $error, "$label: json_decode fails with " . json_last_error_msg() . ' but decode_json returned');
        $this->assertSame(serialize($expected), serialize($actual), $label);
    }

    private function assertSameBothModes(string $json): void
    {
        $this->assertSameAsJsonDecode($json, false);
        $this->assertSameAsJsonDecode($json, true);
    }

    public function testTrapsFromDesignNotes(): void
    {
        $vectors = [
            // numbers
            '0', '-0', '-0.0', '-0e1', '0.0', '1e400', '-1e400', '1e-400', '-1e-400',
            '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
            '12345678901234567890123', '123456789012345678901234567890e-10', '1e5', '1E+5', '1e-5', '0.1e1',
            '1.7976931348623157e308', '1.7976931348623159e308', '2.2250738585072014e-308', '4.9e-324',
            '2.4703282292062328e-324', '2.4703282292062327e-324', '0.30000000000000004', '1e99999999999999999999',
            '[1.0, -1.5, 100, -100, 3.141592653589793238462643383279]',
            // strings
            '"\u00e9"', '"\u00E9\u20aC"', '"\uD83D\uDE00"', '"\/\b\f\n\r\t\"\\\\"', '"\u0000a"', '""', "\"\x7f\"",
            '"é€😀"', '"a"', '"\u0041"',
            // keys
            '{"a":1,"a":2,"b":3}', '{"b":1,"a":2,"b":3}', '{"a":1,"\u0061":2}', '{"":1,"":2}', '{"":1}',
            '{"1":1,"01":2,"-0":3,"-1":4, "9223372036854775807":5, "9223372036854775808":6, "-9223372036854775808": 7, " 1":8, "1 ":9, "+1":10}',
            '{"1":1,"01":2,"1":3}', '{"a":[1,2],"a":{"x":1}}', '{"0":"zero","-5":"minus"}', '{"123":{"456":[{"789":1}]}}',
            '{"\u0000a":1}', '{"a\u0000":1}', '{"\u0000":"\u0000"}',
            // shapes
            'true', 'false', 'null', ' [ 1 , [ ] , { } ] ', "\t\r\n [\n]\n", '[[],[[]],{}]', '{"a":{}}', '[{}]',
            '[{"k":1,"v":[true,false,null]},{"k":2,"v":[]}]',
            // order of errors
            "{\"\\u0000\":\"\xff\"}", '{"\u0000":[1 x}', '{"\u0000":1x}', '{"\u0000":{"b":1} x', '{"a":{"\u0000":1} x',
            // malformed
            '', ' ', "\x0c1", '[1,]', '01', '1.', '.5', '1.e5', '+1', 'TRUE', '[1] [2]', '"\u00"', '"\u12G4"', '"\x"',
            '"abc', "[\"a\x00\"]", "[\"a\tb\"]", "[1]\x00", "[1]\x01", "[1]\x7f", '{"a" 1}', '{"a":1,}', '{,}', '{1:1}',
            "{'a':1}", '[1 2]', 'nul', 'nullx', 'null x', '1e', '1e+', '-', '-a', '[', ']', '{"a"', '{"a":', '[1}',
            '{"a":1]', "\xef\xbb\xbf[]", "[1 \xc3\xa9]", '"\\', "\x00",
            // lone surrogates
            '"\uD800"', '"\uDC00"', '"\uD800\u0041"', '"\uD800\uDBFF"', '"\u0041\uDC00"', '"\uD800\n"', '"\uDBFF"',
            "[\"\\ud800\xff\"]",
            // invalid UTF-8
            "\xff", "[\xff]", "[1]\xff", "[1 \xc3]", "\"\xff\"", "[\"\xff\\ud800\"]", "[\"\xff\x01\"]", "[\"\x01\xff\"]",
            "\"abc\xff", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "{\"\xe2\x82\":1}", "[1, \"ab\xffc\"]",
        ];
        foreach ($vectors as $json) {
            $this->assertSameBothModes($json);
        }
    }

    public function testInvalidUtf8IsSubstitutedByteByByteAsJsonDecodeDoes(): void
    {
        $vectors = [
            "\"\xe2\x82\"", "\"\xe2\x82x\"", "\"\xf0\x9f\x98\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xff\"",
            "\"a\xffb\\u00e9\xfe\xc3\xa9\"", "\"\x80\x80\xf0\x9f\x98\x80\xf0\"", "[\"\xff\",\"ok\",\"\xfe\"]",
            "{\"\xff\":1,\"\\ufffd\":2,\"\xfe\":3}", "{\"k\xff\":\"v\xfe\",\"k\\ufffd\":[\"\xc3\"]}", "[\xff]",
            "[\"\xff\x01\"]", "[\"\x01\xff\"]", "\"\xf8\x88\x80\x80\x80\"", "\"\xf4\x8f\xbf\xbf\xf4\x90\"",
            "\"" . str_repeat("abcdefghijklmnop\xff", 8) . "\"",
        ];
        foreach ($vectors as $json) {
            foreach ([false, true] as $assoc) {
                $this->assertSameAsJsonDecode($json, $assoc, 512, true);
                $this->assertSameAsJsonDecode($json, $assoc);
            }
        }
    }

    public function testDepthCountsAsJsonDecodeDoes(): void
    {
        foreach (['1', '[]', '[1]', '[[1]]', '[[]]', '{"a":{}}', '{"a":[{"b":[1]}]}', '[[[[[[]]]]]]', "[[\xff", '[['] as $json) {
            foreach ([1, 2, 3, 4, 5, 6, 7] as $depth) {
                $this->assertSameAsJsonDecode($json, false, $depth);
                $this->assertSameAsJsonDecode($json, true, $depth);
            }
        }
        foreach ([510, 511, 512, 513] as $n) {
            $this->assertSameBothModes(str_repeat('[', $n) . str_repeat(']', $n));
            $this->assertSameBothModes(str_repeat('{"a":', $n) . '1' . str_repeat('}', $n));
        }
        // Past about 1666 to 4998 levels PHP's parser stack is full: a syntax error.
        $shapes = [['[', '', ']', 4998], ['[', '1', ']', 4998], ['{"a":', '1', '}', 2499], ['{"x":1,"a":', '1', '}', 1666],
            ['[{"a":', '1', '}]', 1666], ['[1,', '[]', ']', 2498], ['{"a":', '{}', '}', 2498], ['[', '{"a":1}', ']', 4996],
            ['{"a":1,"b":', '[1,{"c":"\u00e9"}]', '}', 1666]];
        foreach ($shapes as [$open, $inner, $close, $n]) {
            foreach ([$n - 1, $n, $n + 1, $n + 2] as $levels) {
                $json = str_repeat($open, $levels) . $inner . str_repeat($close, $levels);
                $this->assertSameAsJsonDecode($json, true, 100000);
                $this->assertSameAsJsonDecode($json, false, 100000);
            }
        }
    }

    public function testArgumentsAreCheckedLikeJsonDecode(): void
    {
        foreach ([0, -1] as $depth) {
            try {
                decode_json('[1]', false, $depth);
                $this->fail("depth $depth accepted");
            } catch (\ValueError $e) {
                $this->assertStringContainsString('must be greater than 0', $e->getMessage());
            }
        }
        try {
            decode_json('[1]', false, PHP_INT_MAX);
            $this->fail('huge depth accepted');
        } catch (\ValueError $e) {
            $this->assertStringContainsString('must be less than', $e->getMessage());
        }
        try {
            decode_json('[1]', false, 512, 'ignore');
            $this->fail('unknown invalid_utf8 mode accepted');
        } catch (\ValueError $e) {
            $this->assertStringContainsString('invalid_utf8', $e->getMessage());
        }
        $this->assertSame([1], decode_json('[1]', false, 2147483647));
    }

    public function testDecodedValuesBehaveAsOrdinaryPhpValues(): void
    {
        // Keys are shared between tables: changing one member must not touch another.
        $list = decode_json('[{"name":"a","port":{"name":"x"}},{"name":"b"}]', true);
        $list[0]['name'] = 'changed';
        $list[0]['port']['name'] = 'y';
        $list[1]['extra'] = 1;
        $list[] = 'appended';
        $this->assertSame([['name' => 'changed', 'port' => ['name' => 'y']], ['name' => 'b', 'extra' => 1], 'appended'], $list);

        $objects = decode_json('{"items":[{"id":1},{"id":2}],"7":"seven"}');
        $objects->items[1]->id = 3;
        $objects->added = true;
        $this->assertSame(1, $objects->items[0]->id);
        $this->assertSame(3, $objects->items[1]->id);
        $this->assertSame('seven', $objects->{'7'});
        $this->assertSame(['items', 7, 'added'], array_keys(get_object_vars($objects)));
        $this->assertSame(['items' => $objects->items, 7 => 'seven', 'added' => true], (array) $objects);

        // Packed arrays from a JSON list behave as lists.
        $packed = decode_json('[10,20,30]');
        $this->assertTrue(array_is_list($packed));
        $packed[] = 40;
        unset($packed[0]);
        $this->assertSame([1 => 20, 2 => 30, 3 => 40], $packed);

        $assoc = decode_json('{"5":"a","x":"b"}', true);
        $assoc[] = 'next';
        $this->assertSame([5 => 'a', 'x' => 'b', 6 => 'next'], $assoc);
        $this->assertSame('b', $assoc['x']);
        $this->assertArrayHasKey(5, $assoc);
        $this->assertArrayNotHasKey('5x', $assoc);
    }

    public function testSharedStringValuesAreCopiedOnWrite(): void
    {
        // In documents of 65536 events or more, repeated short values are one zend_string
        // with several references: every way PHP changes a string in place must separate it.
        $port = '{"type":"ethernet","speed":"1000","descr":"GigabitEth 1/0"}';
        $json = '[' . implode(',', array_fill(0, 10000, $port)) . ']';
        foreach ([false, true] as $assoc) {
            $ports = decode_json($json, $assoc);
            $expected = json_decode($json, $assoc);
            $this->assertSame(serialize($expected), serialize($ports));
            $get = function (int $i, string $k) use (&$ports, $assoc) {
                return $assoc ? $ports[$i][$k] : $ports[$i]->$k;
            };
            if ($assoc) {
                $ports[0]['type'] .= '-x';
                $ports[1]['speed'][0] = '9';
                $ref = &$ports[2]['descr'];
                $ref = strtoupper($ref);
                unset($ref);
            } else {
                $ports[0]->type .= '-x';
                $ports[1]->speed[0] = '9';
                $ref = &$ports[2]->descr;
                $ref = strtoupper($ref);
                unset($ref);
            }
            $this->assertSame('ethernet-x', $get(0, 'type'));
            $this->assertSame('ethernet', $get(1, 'type'));
            $this->assertSame('ethernet', $get(2, 'type'));
            $this->assertSame('9000', $get(1, 'speed'));
            $this->assertSame('1000', $get(0, 'speed'));
            $this->assertSame('1000', $get(2, 'speed'));
            $this->assertSame('GIGABITETH 1/0', $get(2, 'descr'));
            $this->assertSame('GigabitEth 1/0', $get(0, 'descr'));
            $this->assertSame('ethernet', $get(9999, 'type'));
            $this->assertSame('1000', $get(9999, 'speed'));
            $this->assertSame('GigabitEth 1/0', $get(9999, 'descr'));
            // A later document gets strings of its own.
            $again = decode_json($json, $assoc);
            $this->assertSame(serialize($expected), serialize($again));
        }
    }

    public function testDocumentsOfMillionsOfEventsMatchJsonDecode(): void
    {
        // The events of a large document are handed back to the system while its values
        // are built: every value, to the last, must still be the right one.
        $ports = [];
        for ($i = 0; $i < 40000; $i++) {
            $ports[] = ['ifnumber' => $i, 'ifdescr' => "port-$i", 'ifstatus' => $i % 3 === 0 ? 'up' : 'down',
                'mac' => sprintf('00:11:22:%02x:%02x:%02x', $i >> 16, ($i >> 8) & 255, $i & 255), 'speed' => 1.5 * $i,
                'vlans' => [$i % 7, $i % 11], 'trunk' => $i % 2 === 0, 'alias' => null];
        }
        $json = json_encode(['content' => ['network_ports' => $ports], 'tail' => 'last']);
        $this->assertSameBothModes($json);
        // Twice: the second parse reuses the scratch whose memory was handed back.
        $this->assertSameBothModes($json);
    }

    public function testRepeatedDecodingLeavesNoMemoryBehind(): void
    {
        $json = self::portList(300);
        foreach ([false, true] as $assoc) {
            $value = decode_json($json, $assoc);
            unset($value);
            $before = memory_get_usage();
            for ($i = 0; $i < 20; $i++) {
                $value = decode_json($json, $assoc);
                unset($value);
            }
            $this->assertSame($before, memory_get_usage(), $assoc ? 'assoc' : 'objects');
        }
    }

    public function testRandomDocumentsMatchJsonDecode(): void
    {
        mt_srand(20260702);
        for ($i = 0; $i < 3000; $i++) {
            $json = self::randomValue(0);
            $this->assertSameBothModes($json);
            if ($i % 3 === 0) {
                $this->assertSameBothModes(self::damage($json));
            }
            if ($i % 10 === 0) {
                $bad = self::damage($json, "\xff");
                $this->assertSameAsJsonDecode($bad, true, 512, true);
                $this->assertSameAsJsonDecode($bad, false, 512, true);
            }
        }
    }

    public function testRealInventoriesMatchJsonDecode(): void
    {
        $files = glob(__DIR__ . '/../tests/data/json/*.json') ?: [];
        $shared = getenv('GAP_SHARED_CORPUS') ?: __DIR__ . '/../../shared/corpus';
        if (is_dir($shared)) {
            $files = array_merge(
                $files,
                glob("$shared/*.json") ?: [],
                glob("$shared/inventories/*.json") ?: [],
                glob("$shared/wire/*/*.json") ?: []
            );
        }
        $this->assertNotEmpty($files);
        foreach ($files as $file) {
            $json = (string) file_get_contents($file);
            $this->assertNotNull(json_decode($json), $file);
            $this->assertSameBothModes($json);
        }
        $this->assertSameBothModes(self::portList(2000));
    }

    public function testValuesThatWouldPassMemoryLimitAreRefusedBeforeBuildingAndTheDecoderGoesOn(): void
    {
        $extension = self::extensionPath();
        if ($extension === null) {
            $this->markTestSkipped('set GAP_EXTENSION to the .so to run subprocess tests');
        }
        // Decoded values pile up until the next document would not fit in memory_limit: that
        // one is refused before any of its values is built, where PHP's own json_decode dies
        // of a fatal error half-way, and the decoder works on, in the same request and in
        // the shutdown functions after PHP's own fatal error.
        $script = <<<'PHP'
            <?php
            register_shutdown_function(function () {
                unset($GLOBALS['keep']);
                echo "\nafter:", json_encode(GlpiAgentProtocol\decode_json('{"a":[1,2,{"b":"c"}]}', true)), "\n";
            });
            $ports = [];
            for ($i = 0; $i < 20000; $i++) {
                $ports[] = ['ifname' => "Gi1/0/$i", 'ifdescr' => str_repeat('d', 40), 'vlans' => [['name' => 'v', 'number' => $i]]];
            }
            $json = json_encode(['content' => ['network_ports' => $ports]]);
            unset($ports);
            $keep = [];
            try {
                for ($i = 0; $i < 100; $i++) {
                    $keep[] = GlpiAgentProtocol\decode_json($json, $i % 2 === 0);
                }
                echo "not reached\n";
            } catch (GlpiAgentProtocol\ProtocolException $e) {
                echo 'refused ', $e->getCode(), ' ', $e->getToken(), ' after ', count($keep), "\n";
            }
            echo json_encode(GlpiAgentProtocol\decode_json('[1,{"a":2}]')), "\n";
            for ($i = 0; $i < 100; $i++) {
                $keep[] = json_decode($json, $i % 2 === 0);
            }
            PHP;
        [$status, $output] = self::runPhp($extension, $script, '64M');
        $this->assertSame(255, $status, $output);
        $this->assertMatchesRegularExpression('/refused 413 values exceed memory limit after [1-9][0-9]*/', $output);
        $this->assertStringContainsString('[1,{"a":2}]', $output);
        $this->assertStringContainsString('Allowed memory size', $output, "json_decode's own end");
        $this->assertStringContainsString('after:{"a":[1,2,{"b":"c"}]}', $output);
        $this->assertStringNotContainsString('not reached', $output);
    }

    public function testBodiesTooBigForMemoryLimitAreRefusedBeforeTheTapeGrows(): void
    {
        $extension = self::extensionPath();
        if ($extension === null) {
            $this->markTestSkipped('set GAP_EXTENSION to the .so to run subprocess tests');
        }
        // Four million values need 64 MB of zvals: json_decode dies of memory_limit,
        // decode_json refuses with 413 before its tape (outside memory_limit) grows.
        $script = <<<'PHP'
            <?php
            $json = '[' . str_repeat('0,', 4000000) . '0]';
            try {
                GlpiAgentProtocol\decode_json($json);
                echo "decoded\n";
            } catch (Exception $e) {
                echo 'refused ', $e->getCode(), ' ', $e->getMessage(), "\n";
            }
            echo json_encode(GlpiAgentProtocol\decode_json('[1,{"a":2}]')), "\n";
            PHP;
        [$status, $output] = self::runPhp($extension, $script, '32M');
        $this->assertSame(0, $status, $output);
        $this->assertStringContainsString('refused 413', $output);
        $this->assertStringContainsString('[1,{"a":2}]', $output);
    }

    /** Runs $script in a fresh PHP with the extension; returns its exit status and output. */
    private static function runPhp(string $extension, string $script, string $memoryLimit): array
    {
        $file = tempnam(sys_get_temp_dir(), 'gapjson');
        file_put_contents($file, $script);
        $cmd = escapeshellarg(PHP_BINARY) . ' -n -d memory_limit=' . $memoryLimit . ' -d extension='
            . escapeshellarg($extension) . ' ' . escapeshellarg($file) . ' 2>&1';
        exec($cmd, $out, $status);
        unlink($file);
        return [$status, implode("\n", $out)];
    }

    /** The extension file this process loaded (so that subprocesses test the same build). */
    private static function extensionPath(): ?string
    {
        $maps = @file_get_contents('/proc/self/maps') ?: '';
        if (preg_match('~(/\S*glpi_agent_protocol\.so)$~m', $maps, $m) && is_file($m[1])) {
            return $m[1];
        }
        $candidates = [getenv('GAP_EXTENSION') ?: ''];
        foreach ([getenv('CARGO_TARGET_DIR') ?: '', __DIR__ . '/../target'] as $dir) {
            if ($dir !== '') {
                $candidates[] = "$dir/release/libglpi_agent_protocol.so";
                $candidates[] = "$dir/debug/libglpi_agent_protocol.so";
            }
        }
        foreach ($candidates as $path) {
            if ($path !== '' && is_file($path)) {
                return $path;
            }
        }
        return null;
    }

    /** A network inventory shaped like the real ones: many ports with the same keys. */
    private static function portList(int $ports): string
    {
        $list = [];
        for ($i = 0; $i < $ports; $i++) {
            $list[] = [
                'ifdescr' => "GigabitEthernet1/0/$i", 'ifinerrors' => $i * 7, 'ifinoctets' => 1234567890123 + $i,
                'ifinternalstatus' => 1, 'ifmtu' => 1500, 'ifnumber' => 10100 + $i, 'ifspeed' => 1.0e9,
                'ifstatus' => $i % 2 ? 1 : 2, 'iftype' => 6, 'mac' => sprintf('00:1a:2b:3c:%02x:%02x', $i >> 8, $i & 255),
                'trunk' => false, 'vlans' => [['name' => 'VLAN0010', 'number' => 10, 'tagged' => $i % 3 === 0]],
                'connections' => ['cdp' => $i % 5 === 0, 'connection' => [['ifdescr' => 'Gi0/1', 'sysname' => 'sw-2']]],
            ];
        }
        return json_encode(['action' => 'netinventory', 'content' => ['network_ports' => $list]], JSON_PRETTY_PRINT);
    }

    private static function damage(string $json, ?string $byte = null): string
    {
        $at = mt_rand(0, strlen($json));
        switch ($byte === null ? mt_rand(0, 2) : 1) {
            case 0:
                return substr($json, 0, $at);
            case 1:
                $byte ??= substr("{}[],:\"\\ 0-e.tx\x00\x1f\x80\xff\xc3", mt_rand(0, 20), 1);
                return substr($json, 0, $at) . $byte . substr($json, $at);
            default:
                return substr($json, 0, $at) . substr($json, $at + 1);
        }
    }

    private static function pick(array $items)
    {
        return $items[mt_rand(0, count($items) - 1)];
    }

    private static function ws(): string
    {
        if (mt_rand(0, 2) !== 0) {
            return '';
        }
        $s = '';
        for ($n = mt_rand(0, 12); $n > 0; $n--) {
            $s .= self::pick([' ', "\n", "\r", "\t", ' ', '  ']);
        }
        return $s;
    }

    private static function randomString(bool $key): string
    {
        $s = '"';
        for ($n = mt_rand(0, $key ? 4 : 40); $n > 0; $n--) {
            switch (mt_rand(0, 11)) {
                case 0:
                    $s .= self::pick(['\n', '\"', '\\\\', '\/', '\b', '\f', '\r', '\t']);
                    break;
                case 1:
                    $cp = self::pick([0xe9, 0x20ac, 0x1f600, 0xdf, 0x7f, 0xffff, 0x10ffff, 0x30a2, mt_rand(0x80, 0xd7ff), mt_rand(0xe000, 0x10ffff)]);
                    if (mt_rand(0, 1)) {
                        $s .= mb_chr($cp, 'UTF-8');
                    } else {
                        $units = $cp >= 0x10000
                            ? [0xd800 + (($cp - 0x10000) >> 10), 0xdc00 + (($cp - 0x10000) & 0x3ff)]
                            : [$cp];
                        foreach ($units as $u) {
                            $s .= sprintf(mt_rand(0, 1) ? '\u%04x' : '\u%04X', $u);
                        }
                    }
                    break;
                case 2:
                    $s .= sprintf('\u%04x', mt_rand(0, 0x1f));
                    break;
                case 3:
                    $s .= self::pick(['0', '1', '-', ' ', '9']);
                    break;
                default:
                    $s .= self::pick(['a', 'b', 'x', 'K', 'e', '_', '.', 'é']);
            }
        }
        return $s . '"';
    }

    private static function digits(int $n): string
    {
        $s = (string) mt_rand(1, 9);
        for ($i = 1; $i < $n; $i++) {
            $s .= mt_rand(0, 9);
        }
        return $s;
    }

    private static function randomNumber(): string
    {
        $sign = mt_rand(0, 1) ? '-' : '';
        switch (mt_rand(0, 8)) {
            case 0:
                return $sign . '0';
            case 1:
                return $sign . self::digits(mt_rand(1, 18));
            case 2:
                return $sign . self::digits(19);
            case 3:
                return $sign . self::digits(mt_rand(20, 40));
            case 4:
                return $sign . self::pick(['9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616']);
            case 5:
                return $sign . self::pick(['1e308', '1.7976931348623157e308', '2e308', '2.2250738585072014e-308', '4.9e-324', '1e-400', '0.0', '1e-7', '123e-2']);
            default:
                $s = $sign . (mt_rand(0, 2) ? self::digits(mt_rand(1, 20)) : '0');
                if (mt_rand(0, 2)) {
                    $s .= '.';
                    for ($n = mt_rand(1, 25); $n > 0; $n--) {
                        $s .= mt_rand(0, 9);
                    }
                }
                if (mt_rand(0, 1)) {
                    $s .= self::pick(['e', 'E']) . self::pick(['', '+', '-']) . mt_rand(0, 330);
                }
                return $s;
        }
    }

    private static function randomValue(int $depth): string
    {
        $keys = ['"a"', '"b"', '""', '"1"', '"-1"', '"01"', '"-0"', '"0"', '"9223372036854775808"', '"9223372036854775807"',
            '"\u0061"', '"name"', '"ifdescr"', '"12345"', '" 1"', '"1.5"'];
        $out = self::ws();
        $container = $depth < 7 && mt_rand(0, 2) === 0;
        $shape = $container ? mt_rand(0, 1) : mt_rand(2, 7);
        if ($shape === 0) {
            $items = [];
            for ($n = mt_rand(0, 6); $n > 0; $n--) {
                $items[] = self::randomValue($depth + 1);
            }
            $out .= '[' . implode(',', $items) . self::ws() . ']';
        } elseif ($shape === 1) {
            $members = [];
            for ($n = mt_rand(0, 6); $n > 0; $n--) {
                $key = mt_rand(0, 1) ? self::pick($keys) : self::randomString(true);
                $members[] = self::ws() . $key . self::ws() . ':' . self::randomValue($depth + 1);
            }
            $out .= '{' . implode(',', $members) . self::ws() . '}';
        } elseif ($shape <= 3) {
            $out .= self::randomString(false);
        } elseif ($shape <= 5) {
            $out .= self::randomNumber();
        } else {
            $out .= self::pick(['true', 'false', 'null']);
        }
        return $out . self::ws();
    }
}
