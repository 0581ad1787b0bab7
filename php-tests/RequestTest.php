<?php
// Request::decode() from PHP: content types (spec 3.2.3), headers in getallheaders() and $_SERVER
// shapes, the routing accessors, real captured agent requests, and the JSON and XML checks,
// each cross-checked with json_decode or SimpleXML where PHP has an answer of its own.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

require_once __DIR__ . '/ProtocolAssertions.php';

use GlpiAgentProtocol\Request;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decode_json;

final class RequestTest extends TestCase
{
    use ProtocolAssertions;

    private const AGENT = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';
    private const CONTACT = '{"action":"contact","deviceid":"vm-1","name":"GLPI-Agent","version":"1.12"}';
    private const PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REQUEST><DEVICEID>vm-1</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>";

    protected function tearDown(): void
    {
        ini_restore('glpi_agent_protocol.max_depth');
        ini_restore('glpi_agent_protocol.max_values');
        ini_restore('glpi_agent_protocol.invalid_utf8');
    }

    // Content types (spec 3.2.3)

    /** @return array<string, array{string, string, string}> content type, body encoding, expected compression */
    public static function contentTypes(): array
    {
        return [
            'application/json' => ['application/json', 'none', 'none'],
            'application/x-compress-zlib' => ['application/x-compress-zlib', 'zlib', 'zlib'],
            'application/x-zlib' => ['application/x-zlib', 'zlib', 'zlib'],
            'application/x-compress-gzip' => ['application/x-compress-gzip', 'gzip', 'gzip'],
            'application/x-gzip' => ['application/x-gzip', 'gzip', 'gzip'],
            'application/x-compress-deflate' => ['application/x-compress-deflate', 'deflate', 'deflate'],
            'application/x-deflate' => ['application/x-deflate', 'deflate', 'deflate'],
            'application/x-compress-br' => ['application/x-compress-br', 'br', 'br'],
            'application/x-br' => ['application/x-br', 'br', 'br'],
            'text/plain, plain' => ['text/plain', 'none', 'none'],
            'text/plain, zlib sniffed' => ['text/plain', 'zlib', 'zlib'],
            'text/plain, gzip sniffed' => ['text/plain', 'gzip', 'gzip'],
            'empty, plain' => ['', 'none', 'none'],
            'empty, zlib sniffed' => ['', 'zlib', 'zlib'],
            'upper and mixed case' => ['Application/X-Compress-Zlib; charset=utf-8', 'zlib', 'zlib'],
            'parameters and spaces' => ["  application/json ; charset=UTF-8\t", 'none', 'none'],
            'upper case json' => ['APPLICATION/JSON', 'none', 'none'],
            'short spelling in capitals' => ['APPLICATION/X-GZIP', 'gzip', 'gzip'],
            'text/plain with charset' => ['Text/Plain; charset=utf-8', 'none', 'none'],
        ];
    }

    /** @dataProvider contentTypes */
    public function testEveryContractContentTypeDecodesJson(string $type, string $encoding, string $compression): void
    {
        $raw = compress(self::CONTACT, $encoding);
        $request = Request::decode($raw, ['Content-Type' => $type]);
        $this->assertSame('json', $request->mode());
        $this->assertSame($compression, $request->compression());
        $this->assertSame(self::CONTACT, $request->body());
        $this->assertEquals(json_decode(self::CONTACT), $request->content());
        $this->assertSame('contact', $request->action());
        $this->assertSame('vm-1', $request->deviceId());
    }

    /** @dataProvider contentTypes */
    public function testCompressedAndGuessedTypesDecodeXml(string $type, string $encoding, string $compression): void
    {
        if (stripos($type, 'json') !== false) {
            $this->assertProtocolError(400, 'malformed json', fn () => Request::decode(compress(self::PROLOG, $encoding), ['Content-Type' => $type]));
            return;
        }
        $request = Request::decode(compress(self::PROLOG, $encoding), ['Content-Type' => $type]);
        $this->assertSame('xml', $request->mode());
        $this->assertSame($compression, $request->compression());
        $this->assertSame(self::PROLOG, $request->body());
        $this->assertNull($request->content());
        $this->assertSame('prolog', $request->action());
        $this->assertSame('vm-1', $request->deviceId());
    }

    public function testMissingContentTypeIsGuessed(): void
    {
        $this->assertSame('json', Request::decode(self::CONTACT, [])->mode());
        $this->assertSame('xml', Request::decode(self::PROLOG, [])->mode());
        $this->assertSame('xml', Request::decode("\xEF\xBB\xBF" . self::PROLOG, [])->mode(), 'a BOM before <');
        $this->assertSame('xml', Request::decode("\r\n\t <REQUEST/>", [])->mode(), 'white space before <');
        $this->assertSame('zlib', Request::decode(gzcompress(self::PROLOG), [])->compression());
        $this->assertSame('xml', Request::decode(gzcompress(self::PROLOG), [])->mode());
        $this->assertSame('xml', Request::decode(self::PROLOG, ['Content-Type' => 'application/xml'])->mode());
        $this->assertSame('none', Request::decode(self::PROLOG, ['Content-Type' => 'application/xml'])->compression());
        // RFC 7303's other name for XML: read as XML, answered as application/xml, as negotiate() says.
        $textXml = Request::decode(self::PROLOG, ['Content-Type' => 'Text/XML; charset=UTF-8']);
        $this->assertSame(['xml', 'none', 'prolog'], [$textXml->mode(), $textXml->compression(), $textXml->action()]);
        $this->assertSame('application/xml', \GlpiAgentProtocol\Response::prolog($textXml)->headers()['Content-Type']);
        $this->assertSame('application/xml', \GlpiAgentProtocol\negotiate(null, 'text/xml'));
        $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode(self::CONTACT, ['Content-Type' => 'text/xml']));
        // Brotli and raw deflate carry no magic: unlabelled, they are taken as plain JSON and fail
        // as json_decode fails on them.
        foreach ([compress(self::CONTACT, 'br'), gzdeflate(self::CONTACT)] as $raw) {
            json_decode($raw);
            $this->assertProtocolError(400, self::jsonErrorToken(), fn () => Request::decode($raw, []));
            $this->assertProtocolError(400, self::jsonErrorToken(), fn () => Request::decode($raw, ['Content-Type' => 'text/plain']));
        }
    }

    public function testADeclaredModeIsNotSecondGuessed(): void
    {
        $this->assertProtocolError(400, 'malformed json', fn () => Request::decode(self::PROLOG, ['Content-Type' => 'application/json']));
        $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode(self::CONTACT, ['Content-Type' => 'application/xml']));
        // A declared compression is not sniffed either: plain JSON labelled zlib is corrupt zlib.
        $this->assertProtocolError(400, 'corrupt compressed data', fn () => Request::decode(self::CONTACT, ['Content-Type' => 'application/x-compress-zlib']));
        $this->assertProtocolError(400, 'corrupt compressed data', fn () => Request::decode(gzencode(self::CONTACT), ['Content-Type' => 'application/x-compress-zlib']));
    }

    /** @return array<string, array{string}> */
    public static function unsupportedTypes(): array
    {
        $types = [
            'text/html', 'application/octet-stream', 'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x', 'application/jsonx', 'application/json-seq',
            'application/x-compress', 'application/x-compress-', 'application/x-compress-none', 'application/x-none',
            'application/x-compress-brotli', 'application/x-compress-zstd', 'application/x-compress-zlib2',
            'application /json', 'json', ';', "application/json\xff", 'application/encrypted',
        ];
        return array_combine($types, array_map(fn ($t) => [$t], $types));
    }

    /** @dataProvider unsupportedTypes */
    public function testAnyOtherContentTypeIs415(string $type): void
    {
        $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, ['Content-Type' => $type]));
        $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, cgi_vars(['CONTENT_TYPE' => $type, 'REQUEST_METHOD' => 'POST'])));
    }

    // Routing accessors

    public function testActionFollowsTheContract(): void
    {
        $cases = [
            '{"action":"contact"}' => 'contact',
            '{"action":"CONTACT"}' => 'contact',
            '{"action":"Register","query":"inventory"}' => 'register',
            '{"query":"NetInventory"}' => 'netinventory',
            '{"deviceid":"x","content":{"action":"contact"}}' => 'inventory',
            '{}' => 'inventory',
            '{"action":null,"query":"get_params"}' => 'get_params',
        ];
        foreach ($cases as $json => $action) {
            $this->assertSame($action, Request::decode($json, ['Content-Type' => 'application/json'])->action(), $json);
        }
        $xml = [
            '<REQUEST><QUERY>PROLOG</QUERY></REQUEST>' => 'prolog',
            '<REQUEST><QUERY>Inventory</QUERY></REQUEST>' => 'inventory',
            '<REQUEST><DEVICEID>x</DEVICEID></REQUEST>' => 'inventory',
            '<REQUEST><CONTENT><QUERY>nested</QUERY></CONTENT></REQUEST>' => 'inventory',
            '<REQUEST><QUERY>SNMPQUERY</QUERY><QUERY>second</QUERY></REQUEST>' => 'snmpquery',
        ];
        foreach ($xml as $doc => $action) {
            $this->assertSame($action, Request::decode($doc, ['Content-Type' => 'application/xml'])->action(), $doc);
        }
    }

    public function testRoutingMembersMustBeStringsOfAnObject(): void
    {
        foreach (['[]', '[{"action":"contact"}]', 'null', '1', '"contact"', '{"action":5}', '{"query":["x"]}', '{"deviceid":{}}'] as $json) {
            json_decode($json);
            $this->assertSame(JSON_ERROR_NONE, json_last_error(), "$json is JSON");
            $this->assertProtocolError(400, 'bad-format', fn () => Request::decode($json, ['Content-Type' => 'application/json']), $json);
        }
        $this->assertNull(Request::decode('{"deviceid":null}', ['Content-Type' => 'application/json'])->deviceId());
    }

    public function testDeviceId(): void
    {
        $this->assertSame('vm-1', Request::decode(self::CONTACT, [])->deviceId());
        $this->assertNull(Request::decode('{"action":"contact"}', [])->deviceId());
        $this->assertSame('pc-é/1', Request::decode('{"deviceid":"pc-\u00e9\/1"}', [])->deviceId(), 'escapes decoded');
        $this->assertSame('a&b', Request::decode('<REQUEST><DEVICEID>a&amp;b</DEVICEID></REQUEST>', [])->deviceId(), 'references resolved');
        $this->assertSame('', Request::decode('<REQUEST><DEVICEID/></REQUEST>', [])->deviceId());
        $this->assertNull(Request::decode('<REQUEST><QUERY>PROLOG</QUERY></REQUEST>', [])->deviceId());
    }

    public function testAccessorsOfAPlainRequest(): void
    {
        $request = Request::decode(gzcompress(self::CONTACT), [
            'Content-Type' => 'application/x-compress-zlib',
            'GLPI-Agent-ID' => strtoupper(self::AGENT),
            'GLPI-Request-ID' => 'F4CCE510',
            'GLPI-Proxy-ID' => '3a609a2e-947f-4e6a-9af9-32c024ac3944',
            'Accept' => 'application/json',
            'Pragma' => 'no-cache',
            'User-Agent' => 'GLPI-Agent_v1.12',
        ]);
        $this->assertSame('json', $request->mode());
        $this->assertSame('zlib', $request->compression());
        $this->assertSame('contact', $request->action());
        $this->assertSame('vm-1', $request->deviceId());
        $this->assertSame(self::AGENT, $request->agentId());
        $this->assertSame('F4CCE510', $request->requestId());
        $this->assertSame(['3a609a2e-947f-4e6a-9af9-32c024ac3944'], $request->proxyIds());
        $this->assertNull($request->cryptoKeyId());
        $this->assertFalse($request->isEncrypted());
        $this->assertSame(self::CONTACT, $request->body());
        $this->assertEquals(json_decode(self::CONTACT), $request->content());
        $this->assertSame('application/x-compress-zlib', $request->contentType());
    }

    public function testContentFollowsAssocLikeJsonDecode(): void
    {
        $json = '{"action":"inventory","deviceid":"d","content":{"0":"zero","12":[1,2.5,"x",null,true],"a":{},"b":[],"":"empty key"}}';
        $objects = Request::decode($json, [])->content();
        $this->assertInstanceOf(\stdClass::class, $objects);
        $this->assertEquals(json_decode($json), $objects);
        $this->assertEquals(json_decode($json), Request::decode($json, [], ['assoc' => false])->content());
        $arrays = Request::decode($json, [], ['assoc' => true])->content();
        $this->assertIsArray($arrays);
        $this->assertSame(json_decode($json, true), $arrays);
        $this->assertSame(var_export(json_decode($json, true), true), var_export($arrays, true), 'integer keys as json_decode makes them');
        $this->assertValueError(fn () => Request::decode($json, [], ['assoc' => 1]));
        $this->assertValueError(fn () => Request::decode($json, [], ['assoc' => 'yes']));
    }

    public function testContentIsAFreshValueEachCall(): void
    {
        $request = Request::decode(self::CONTACT, [], ['assoc' => true]);
        $a = $request->content();
        $a['action'] = 'changed';
        $this->assertSame('contact', $request->content()['action']);
    }

    public function testRequestsComeOnlyFromDecode(): void
    {
        foreach ([
            'new' => fn () => new Request(),
            'clone' => fn () => clone Request::decode('{}', []),
            'serialize' => fn () => serialize(Request::decode('{}', [])),
        ] as $name => $make) {
            $thrown = null;
            try {
                $make();
            } catch (\Throwable $e) {
                $thrown = $e;
            }
            $this->assertInstanceOf(\Throwable::class, $thrown, "$name made a Request");
            $this->assertNotInstanceOf(\GlpiAgentProtocol\ProtocolException::class, $thrown, $name);
        }
    }

    // Header shapes

    public function testServerArrayShape(): void
    {
        $server = [
            'REQUEST_METHOD' => 'POST',
            'REQUEST_URI' => '/front/inventory.php',
            'REQUEST_TIME' => 1700000000,
            'REQUEST_TIME_FLOAT' => 1700000000.5,
            'argv' => ['x'],
            'argc' => 1,
            'PATH' => '/usr/bin',
            'CONTENT_TYPE' => 'application/x-compress-zlib',
            'CONTENT_LENGTH' => '187',
            'HTTP_GLPI_AGENT_ID' => self::AGENT,
            'HTTP_GLPI_REQUEST_ID' => '6FB6BD6B',
            'HTTP_GLPI_PROXY_ID' => '3a609a2e-947f-4e6a-9af9-32c024ac3944',
            'HTTP_ACCEPT' => 'application/x-compress-gzip',
            'HTTP_USER_AGENT' => 'GLPI-Agent_v1.12',
        ];
        $request = Request::decode(gzcompress(self::CONTACT), $server);
        $this->assertSame('zlib', $request->compression());
        $this->assertSame(self::AGENT, $request->agentId());
        $this->assertSame('6FB6BD6B', $request->requestId());
        $this->assertSame(['3a609a2e-947f-4e6a-9af9-32c024ac3944'], $request->proxyIds());
        $this->assertSame(self::CONTACT, $request->body());
        // Only HTTP_* and the CGI content variables are headers: PATH is not one.
        $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, cgi_vars(['REQUEST_METHOD' => 'POST', 'CONTENT_TYPE' => 'text/html'])));
        $this->assertSame('json', Request::decode(self::CONTACT, cgi_vars(['REQUEST_METHOD' => 'POST', 'HTTP_CONTENT_TYPE' => 'application/json']))->mode());
    }

    public function testRealServerArrayOfThisProcess(): void
    {
        // The CLI's own $_SERVER holds no header at all: decoding must not trip on argv & co.
        $request = Request::decode(self::CONTACT, $_SERVER);
        $this->assertSame('json', $request->mode());
        $this->assertNull($request->agentId());
    }

    public function testGetallheadersShapeInAnyCase(): void
    {
        foreach (['Content-Type', 'content-type', 'CONTENT-TYPE', 'cOnTeNt-TyPe'] as $name) {
            $request = Request::decode(gzencode(self::CONTACT), [$name => 'application/x-compress-gzip', 'glpi-AGENT-id' => self::AGENT]);
            $this->assertSame('gzip', $request->compression(), $name);
            $this->assertSame(self::AGENT, $request->agentId());
        }
        // Integer keys and non-string values are ignored.
        $this->assertSame('json', Request::decode(self::CONTACT, [0 => 'Content-Type: text/html', 'X-Number' => 5, 'Content-Type' => ['text/html']])->mode());
        // A value held by reference is the value.
        $type = 'application/x-compress-gzip';
        $this->assertSame('gzip', Request::decode(gzencode(self::CONTACT), ['Content-Type' => &$type])->compression());
    }

    public function testHeaderNamesInAnyEncodingAreNoPanic(): void
    {
        // Names are bytes from the peer: one that is not UTF-8 is just another unknown header.
        $request = Request::decode(self::CONTACT, ["X-Caf\xe9" => 'v', "GLPI-Agent-ID\xff" => 'x', 'Content-Type' => 'application/json']);
        $this->assertNull($request->agentId());
        $this->assertSame('json', $request->mode());
        $server = Request::decode(self::CONTACT, cgi_vars(['REQUEST_METHOD' => 'POST', "HTTP_X_\xff" => 'v', 'HTTP_GLPI_AGENT_ID' => self::AGENT]));
        $this->assertSame(self::AGENT, $server->agentId());
        // A value that is not UTF-8 fails as that header's own error.
        $this->assertProtocolError(400, 'bad agent id', fn () => Request::decode(self::CONTACT, ['GLPI-Agent-ID' => "\xff"]));
        $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, ['Content-Type' => "application/json\xff"]));
        $this->assertValueError(fn () => Request::decode(self::CONTACT, [], ["assoc\xff" => true]), 'an option name that is not UTF-8 is unknown');
    }

    // Captured agent requests (tests/data/wire)

    /** @return array<string, array{array<string, mixed>}> */
    public static function capturedExchanges(): array
    {
        $manifest = json_decode(self::data('wire/manifest.json'), true, 512, JSON_THROW_ON_ERROR);
        $cases = [];
        foreach ($manifest['exchanges'] as $exchange) {
            $cases[$exchange['agent'] . ' ' . $exchange['exchange']] = [$exchange];
        }
        return $cases;
    }

    /**
     * @dataProvider capturedExchanges
     * @param array<string, mixed> $exchange
     */
    public function testCapturedAgentRequestsDecode(array $exchange): void
    {
        $raw = self::data('wire/' . $exchange['files']['raw_body']);
        $decoded = self::data('wire/' . $exchange['files']['decoded_body']);
        $this->assertSame($exchange['request']['sha256_raw'], hash('sha256', $raw));
        $headers = [];
        foreach ($exchange['request']['headers'] as [$name, $value]) {
            $headers[$name] = $value;
        }
        $server = cgi_vars(['REQUEST_METHOD' => 'POST']);
        foreach ($headers as $name => $value) {
            $key = strtoupper(str_replace('-', '_', $name));
            $server[in_array($key, ['CONTENT_TYPE', 'CONTENT_LENGTH'], true) ? $key : "HTTP_$key"] = $value;
        }
        foreach (['getallheaders' => $headers, '$_SERVER' => $server] as $shape => $given) {
            foreach ([false, true] as $assoc) {
                $request = Request::decode($raw, $given, ['assoc' => $assoc]);
                $this->assertSame('zlib', $request->compression(), $shape);
                $this->assertSame($exchange['request']['format'], $request->mode(), $shape);
                $this->assertSame($decoded, $request->body(), $shape);
                $this->assertSame($exchange['request']['body_bytes_decoded'], strlen($request->body()));
                $this->assertSame($exchange['request']['kind'], $request->action(), $shape);
                $this->assertSame($headers['GLPI-Agent-ID'] ?? null, $request->agentId(), $shape);
                $this->assertSame($headers['GLPI-Request-ID'] ?? null, $request->requestId(), $shape);
                $this->assertSame([], $request->proxyIds());
                $this->assertFalse($request->isEncrypted());
                if ($request->mode() === 'json') {
                    $this->assertEquals(json_decode($decoded, $assoc), $request->content(), $shape);
                    $this->assertSame(json_decode($decoded, true)['deviceid'], $request->deviceId());
                } else {
                    $this->assertNull($request->content());
                    $this->assertSame((string) simplexml_load_string($decoded)->DEVICEID, $request->deviceId());
                }
            }
        }
    }

    public function testCapturedBodiesAlsoDecodeUncompressedAndRecompressed(): void
    {
        foreach (['glpi-agent/02-inventory-full.request.json', 'glpi-agent/03-contact.request.json', 'glpi-agent/06-inventory-partial-nodebug.request.json'] as $file) {
            $json = self::data("wire/$file");
            $expected = json_decode($json);
            $this->assertEquals($expected, Request::decode($json, ['Content-Type' => 'application/json'])->content(), $file);
            foreach (['gzip' => gzencode($json, 9), 'deflate' => gzdeflate($json, 1), 'br' => compress($json, 'br', 5)] as $encoding => $raw) {
                $request = Request::decode($raw, ['Content-Type' => "application/x-compress-$encoding"]);
                $this->assertEquals($expected, $request->content(), "$file as $encoding");
            }
        }
        foreach (['glpi-agent/01-prolog.request.xml', 'fusioninventory-agent/02-inventory-xml.request.xml'] as $file) {
            $xml = self::data("wire/$file");
            $this->assertSame($xml, Request::decode($xml, ['Content-Type' => 'application/xml'])->body(), $file);
        }
    }

    // JSON errors and limits

    /** The token for the error json_decode() last reported. */
    private static function jsonErrorToken(): string
    {
        return match (json_last_error()) {
            JSON_ERROR_SYNTAX, JSON_ERROR_CTRL_CHAR, JSON_ERROR_STATE_MISMATCH, JSON_ERROR_UTF16 => 'malformed json',
            JSON_ERROR_UTF8 => 'invalid utf-8',
            JSON_ERROR_DEPTH => 'json too deep',
            JSON_ERROR_INVALID_PROPERTY_NAME => 'invalid property name',
            default => 'json_decode reported ' . json_last_error_msg(),
        };
    }

    public function testMalformedJsonIs400(): void
    {
        $bad = ['', ' ', '{', '{"action":', '{"action":"contact"', '{"a":1,}', "{'a':1}", '{"a":01}', '{"a":1}x',
            '{"a":1}{"b":2}', '{"a":NaN}', '{"a":"\x01"}', '{"a":"\u00"}', '{"a" 1}', 'nul', '{a:1}', '{"a":tru}',
            "\xEF\xBB\xBF{}", '{"a":.5}', '{"a":1.}', '{"a":"\ud800"}' . 'x'];
        foreach ($bad as $json) {
            $this->assertNull(json_decode($json), 'PHP refuses ' . var_export($json, true));
            $this->assertSame('malformed json', self::jsonErrorToken(), json_last_error_msg());
            $this->assertProtocolError(400, 'malformed json', fn () => Request::decode($json, ['Content-Type' => 'application/json']), var_export($json, true));
        }
        foreach (["\xff", "{\"a\":\"\xc0\xaf\"}", "{\"\\u0000a\":1}"] as $json) {
            $this->assertNull(json_decode($json));
            $this->assertProtocolError(400, self::jsonErrorToken(), fn () => Request::decode($json, []), var_export($json, true));
        }
        $this->assertProtocolError(400, 'malformed json', fn () => Request::decode(gzcompress('{"action":'), ['Content-Type' => 'application/x-compress-zlib']));
    }

    public function testInvalidUtf8IsRefusedByDefaultAndSubstitutedOnRequest(): void
    {
        $json = "{\"action\":\"inventory\",\"deviceid\":\"pc\xff1\",\"content\":{\"name\":\"caf\xc3\",\"ok\":\"\xc3\xa9\",\"k\xfe\":1}}";
        $this->assertNull(json_decode($json));
        $this->assertSame(JSON_ERROR_UTF8, json_last_error());
        $this->assertProtocolError(400, 'invalid utf-8', fn () => Request::decode($json, []));
        $this->assertProtocolError(400, 'invalid utf-8', fn () => Request::decode($json, [], ['invalid_utf8' => 'error']));

        $expected = json_decode($json, false, 512, JSON_INVALID_UTF8_SUBSTITUTE);
        $this->assertNotNull($expected);
        $request = Request::decode($json, [], ['invalid_utf8' => 'substitute']);
        $this->assertEquals($expected, $request->content());
        $this->assertSame(json_decode($json, true, 512, JSON_INVALID_UTF8_SUBSTITUTE), Request::decode($json, [], ['invalid_utf8' => 'substitute', 'assoc' => true])->content());
        $this->assertSame("pc\u{FFFD}1", $request->deviceId());
        $this->assertSame($json, $request->body(), 'body() keeps the bytes as sent');

        $this->assertNotFalse(ini_set('glpi_agent_protocol.invalid_utf8', 'substitute'));
        $this->assertEquals($expected, Request::decode($json, [])->content());
        $this->assertProtocolError(400, 'invalid utf-8', fn () => Request::decode($json, [], ['invalid_utf8' => 'error']), 'the option wins');
        $this->assertFalse(ini_set('glpi_agent_protocol.invalid_utf8', 'ignore'));
        $this->assertValueError(fn () => Request::decode($json, [], ['invalid_utf8' => 'ignore']));
        $this->assertValueError(fn () => Request::decode($json, [], ['invalid_utf8' => true]));
    }

    private static function nested(int $depth): string
    {
        // The message object is one level; the rest are arrays inside it.
        return '{"content":' . str_repeat('[', $depth - 1) . str_repeat(']', $depth - 1) . '}';
    }

    public function testDepthLimitIsCountedLikeJsonDecode(): void
    {
        // json_decode's own boundary at its default depth of 512: one object and 510 arrays pass.
        $this->assertNotNull(json_decode(self::nested(511)));
        $this->assertNull(json_decode(self::nested(512)));
        foreach ([2, 100, 510, 511, 512, 513, 600, 100000] as $depth) {
            $json = self::nested($depth);
            $php = json_decode($json);
            if ($php === null) {
                $this->assertSame(JSON_ERROR_DEPTH, json_last_error());
                $this->assertProtocolError(400, 'json too deep', fn () => Request::decode($json, []), "depth $depth");
            } else {
                $this->assertEquals($php, Request::decode($json, [])->content(), "depth $depth");
            }
        }
        foreach ([1, 2, 3, 10] as $max) {
            foreach ([$max - 1, $max, $max + 1] as $depth) {
                if ($depth < 1) {
                    continue;
                }
                $json = $depth === 1 ? '{"a":1}' : self::nested($depth);
                $php = json_decode($json, false, $max);
                if ($php === null) {
                    $this->assertProtocolError(400, 'json too deep', fn () => Request::decode($json, [], ['max_depth' => $max]), "depth $depth, max $max");
                } else {
                    $this->assertEquals($php, Request::decode($json, [], ['max_depth' => $max])->content(), "depth $depth, max $max");
                }
            }
        }
        $this->assertNotFalse(ini_set('glpi_agent_protocol.max_depth', '3'));
        $this->assertEquals(json_decode(self::nested(2), false, 3), Request::decode(self::nested(2), [])->content());
        $this->assertNull(json_decode(self::nested(3), false, 3));
        $this->assertProtocolError(400, 'json too deep', fn () => Request::decode(self::nested(3), []));
        $this->assertEquals(json_decode(self::nested(3), false, 4), Request::decode(self::nested(3), [], ['max_depth' => 4])->content(), 'the option wins');
        $this->assertFalse(ini_set('glpi_agent_protocol.max_depth', '0'));
        $this->assertValueError(fn () => Request::decode('{}', [], ['max_depth' => 0]));
        $this->assertValueError(fn () => Request::decode('{}', [], ['max_depth' => -1]));
    }

    public function testEveryDirectiveStartsAtTheDefaultTheReadmeAndPackagingGive(): void
    {
        // Read in a PHP of its own: what the extension registers, whatever this process set.
        $out = shell_exec(php_with_extension() . ' -r ' . escapeshellarg(
            'echo json_encode(array_map(fn ($e) => $e["global_value"], ini_get_all("glpi_agent_protocol")));'
        ));
        $registered = json_decode((string) $out, true, 512, JSON_THROW_ON_ERROR);

        preg_match_all('/^\| `([a-z_0-9]+)` \| ([^|]+) \|/m', (string) file_get_contents(__DIR__ . '/../README.md'), $rows, PREG_SET_ORDER);
        $readme = [];
        foreach ($rows as [, $name, $default]) {
            $value = trim(explode(' ', trim($default))[0], '`');
            $readme['glpi_agent_protocol.' . $name] = $value === 'empty' ? '' : $value;
        }
        preg_match_all('/^;(glpi_agent_protocol\.[a-z_0-9]+) =(.*)$/m', (string) file_get_contents(__DIR__ . '/../packaging/glpi_agent_protocol.ini'), $lines, PREG_SET_ORDER);
        $packaging = [];
        foreach ($lines as [, $name, $value]) {
            $packaging[$name] = trim($value);
        }
        ksort($registered);
        ksort($readme);
        ksort($packaging);
        $this->assertCount(14, $registered);
        $this->assertSame($registered, $readme, 'README table');
        $this->assertSame($registered, $packaging, 'packaging/glpi_agent_protocol.ini');
    }

    public function testTheNumberOfValuesIsBoundedByINIAndOption(): void
    {
        // CONTACT: an object of 4 members is 9 values and keys.
        $this->assertSame('4000000', ini_get('glpi_agent_protocol.max_values'));
        $this->assertSame('contact', Request::decode(self::CONTACT, [], ['max_values' => 9])->action());
        $e = $this->assertProtocolError(413, 'too many values', fn () => Request::decode(self::CONTACT, [], ['max_values' => 8]));
        $this->assertStringContainsString('8', $e->getMessage());
        $this->assertNotFalse(ini_set('glpi_agent_protocol.max_values', '8'));
        $this->assertProtocolError(413, 'too many values', fn () => Request::decode(self::CONTACT, []));
        $this->assertSame('contact', Request::decode(self::CONTACT, [], ['max_values' => 9])->action(), 'the option wins');
        $this->assertProtocolError(413, 'too many values', fn () => decode_json('[1,2,3,4,5,6,7,8,9]'), 'decode_json() follows the INI value too');
        $this->assertFalse(ini_set('glpi_agent_protocol.max_values', '0'));
        $this->assertValueError(fn () => Request::decode('{}', [], ['max_values' => 0]));
    }

    /**
     * Run in a PHP of its own with memory_limit=64M: values that would not fit are refused
     * with a ProtocolException before one is built, where PHP's own json_decode dies with a
     * fatal error; a real inventory still decodes under the same limit.
     */
    public function testValuesBeyondMemoryLimitAreRefusedBeforeBuilding(): void
    {
        $script = <<<'PHP'
            use GlpiAgentProtocol\{Request, ProtocolException};
            $objects = '{"action":"inventory","deviceid":"x","content":{"x":[' . str_repeat('{},', 1 << 20) . '{}]}}';
            try {
                Request::decode($objects, ['Content-Type' => 'application/json']);
                echo "decoded\n";
            } catch (ProtocolException $e) {
                echo $e->getCode(), ' ', $e->getToken(), "\n";
            }
            $real = Request::decode(file_get_contents($argv[1]), ['Content-Type' => 'application/json']);
            echo count((array) $real->content()->content), " sections\n";
            json_decode($objects);
            echo "json_decode survived\n";
            PHP;
        $command = php_with_extension() . ' -d memory_limit=64M -d display_errors=stderr -r ' . escapeshellarg($script)
            . ' ' . escapeshellarg(PROJECT_ROOT . '/samples/inventory.json') . ' 2>&1';
        exec($command, $out, $code);
        $this->assertSame('413 values exceed memory limit', $out[0] ?? null, implode("\n", $out));
        $this->assertMatchesRegularExpression('/^\d+ sections$/', $out[1] ?? '', 'the real inventory decodes in the same process');
        $this->assertStringContainsString('Allowed memory size', implode("\n", $out), 'PHP itself cannot build these values');
        $this->assertNotSame(0, $code);
    }

    // XML

    /** @return array<string, array{string}> */
    public static function malformedXml(): array
    {
        $docs = [
            'unclosed child' => '<REQUEST><QUERY>PROLOG</REQUEST>',
            'unclosed root' => '<REQUEST><QUERY>PROLOG</QUERY>',
            'two roots' => '<REQUEST/><REQUEST/>',
            'text after root' => '<REQUEST/>junk',
            'bad entity' => '<REQUEST><QUERY>&nope;</QUERY></REQUEST>',
            'bare ampersand' => '<REQUEST><QUERY>a & b</QUERY></REQUEST>',
            'duplicate attribute' => '<REQUEST a="1" a="2"/>',
            'unquoted attribute' => '<REQUEST a=1/>',
            'bad name' => '<1REQUEST/>',
            'declaration not first' => ' <?xml version="1.0"?><REQUEST/>',
            'unknown encoding' => '<?xml version="1.0" encoding="KOI8-Z"?><REQUEST/>',
            'control character' => "<REQUEST><QUERY>\x01</QUERY></REQUEST>",
            'empty' => '',
            'only a declaration' => '<?xml version="1.0"?>',
            'mismatched case' => '<REQUEST></request>',
            'CDATA end in text' => '<REQUEST>a]]>b</REQUEST>',
        ];
        return array_map(fn ($d) => [$d], $docs);
    }

    /** @dataProvider malformedXml */
    public function testMalformedXmlIs400LikeSimpleXmlRefusesIt(string $doc): void
    {
        $previous = libxml_use_internal_errors(true);
        try {
            $this->assertFalse(simplexml_load_string($doc), 'libxml2 refuses it too');
        } finally {
            libxml_clear_errors();
            libxml_use_internal_errors($previous);
        }
        $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode($doc, ['Content-Type' => 'application/xml']));
        if ($doc !== '') {
            $this->assertProtocolError(400, ['malformed xml', 'malformed json'], fn () => Request::decode(gzcompress($doc), ['Content-Type' => 'application/x-compress-zlib']));
        }
    }

    public function testDtdsAreRefused(): void
    {
        $docs = [
            '<?xml version="1.0"?><!DOCTYPE REQUEST><REQUEST/>',
            '<?xml version="1.0"?><!DOCTYPE REQUEST [<!ENTITY x "y">]><REQUEST><QUERY>&x;</QUERY></REQUEST>',
            '<!DOCTYPE REQUEST SYSTEM "file:///etc/passwd"><REQUEST/>',
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><REQUEST><QUERY>&lol3;</QUERY></REQUEST>',
        ];
        foreach ($docs as $doc) {
            $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode($doc, ['Content-Type' => 'application/xml']), $doc);
            $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode(gzcompress($doc), []), $doc);
        }
    }

    /** @return array<string, array{string}> */
    public static function legacyEncodings(): array
    {
        return ['ISO-8859-1' => ['iso-8859-1'], 'ISO-8859-15' => ['iso-8859-15'], 'Windows-1252' => ['windows-1252']];
    }

    /** @dataProvider legacyEncodings */
    public function testXmlInALegacyEncodingIsConvertedToUtf8(string $name): void
    {
        $doc = self::data("xml/$name.xml");
        $deviceId = self::data("xml/$name.deviceid");
        $this->assertFalse(mb_check_encoding($doc, 'UTF-8'), 'the source is not UTF-8');
        $request = Request::decode(gzcompress($doc), ['Content-Type' => 'application/x-compress-zlib']);
        $body = $request->body();
        $this->assertTrue(mb_check_encoding($body, 'UTF-8'));
        $this->assertStringContainsString('encoding="UTF-8"', $body);
        $this->assertStringNotContainsStringIgnoringCase(strtoupper($name), $body);
        $this->assertSame($deviceId, $request->deviceId());
        // libxml2 reads the original through its declaration and the converted body as UTF-8:
        // both give the same text.
        $this->assertSame((string) simplexml_load_string($doc)->DEVICEID, (string) simplexml_load_string($body)->DEVICEID);
        $this->assertSame($deviceId, (string) simplexml_load_string($body)->DEVICEID);
        // And the conversion is exactly iconv's, apart from the declaration.
        $charset = ['iso-8859-1' => 'ISO-8859-1', 'iso-8859-15' => 'ISO-8859-15', 'windows-1252' => 'CP1252'][$name];
        $converted = iconv($charset, 'UTF-8', $doc);
        $this->assertSame(preg_replace('/encoding="[^"]*"/', 'encoding="UTF-8"', $converted, 1), $body);
    }

    public function testXmlDeclaredUtf8ButNotUtf8IsReadAsLatin1LikeGlpi(): void
    {
        $doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><REQUEST><DEVICEID>Soci\xe9t\xe9</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>";
        $request = Request::decode($doc, ['Content-Type' => 'application/xml']);
        $this->assertSame('Société', $request->deviceId());
        $this->assertSame(mb_convert_encoding($doc, 'UTF-8', 'ISO-8859-1'), $request->body());
    }

    public function testXmlWithUtf16ByteOrderMark(): void
    {
        $doc = '<?xml version="1.0" encoding="UTF-16"?><REQUEST><DEVICEID>Société</DEVICEID></REQUEST>';
        $utf16 = "\xFF\xFE" . mb_convert_encoding($doc, 'UTF-16LE', 'UTF-8');
        $request = Request::decode($utf16, ['Content-Type' => 'application/xml']);
        $this->assertSame('Société', $request->deviceId());
        $this->assertSame(str_replace('UTF-16', 'UTF-8', $doc), $request->body());
        $this->assertSame('xml', Request::decode($utf16, [])->mode(), 'a UTF-16 BOM means XML');
    }

    public function testXmlNestingIsBounded(): void
    {
        $deep = '<REQUEST>' . str_repeat('<A>', 600) . str_repeat('</A>', 600) . '</REQUEST>';
        $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode($deep, ['Content-Type' => 'application/xml']));
        $shallow = '<REQUEST>' . str_repeat('<A>', 5) . str_repeat('</A>', 5) . '</REQUEST>';
        $this->assertSame($shallow, Request::decode($shallow, [])->body());
        $this->assertProtocolError(400, 'malformed xml', fn () => Request::decode($shallow, [], ['max_depth' => 3]));
    }

    // Options

    public function testUnknownOptionsAndBadKeysAreCallerErrors(): void
    {
        foreach (['max_size', 'MAX_DEPTH', 'Assoc', 'depth', 'keys', ''] as $name) {
            $this->assertValueError(fn () => Request::decode(self::CONTACT, [], [$name => 1]), $name);
        }
        $this->assertValueError(fn () => Request::decode(self::CONTACT, [], [0 => true]), 'a list is no option array');
        foreach (['', 'short', str_repeat('k', 15), str_repeat('k', 17), str_repeat('k', 32), 12345] as $key) {
            $this->assertValueError(fn () => Request::decode(self::CONTACT, [], ['key' => $key]), 'key of ' . strlen((string) $key) . ' bytes');
        }
        // A well-formed key is accepted (and unused by a plain request), null means none.
        $this->assertFalse(Request::decode(self::CONTACT, [], ['key' => random_bytes(16)])->isEncrypted());
        $this->assertFalse(Request::decode(self::CONTACT, [], ['key' => null])->isEncrypted());
        // Caller errors come before anything the peer sent.
        $this->assertValueError(fn () => Request::decode('garbage', ['Content-Type' => 'text/html'], ['nope' => 1]));
    }

    public function testEncryptedBodiesNeedTheirKey(): void
    {
        $headers = ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => self::AGENT, 'GLPI-CryptoKey-ID' => self::AGENT];
        $this->assertProtocolError(403, 'unknown cryptokey', fn () => Request::decode(gzcompress(self::CONTACT), $headers));
        $this->assertProtocolError(400, 'decryption failed', fn () => Request::decode(gzcompress(self::CONTACT), $headers, ['key' => str_repeat("\x42", 16)]));
        $this->assertProtocolError(400, 'bad cryptokey id', fn () => Request::decode(self::CONTACT, ['GLPI-CryptoKey-ID' => 'nope']));
    }
}
