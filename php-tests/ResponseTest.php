<?php
// Response from PHP (spec 3.2 and 3.3.2/3.3.3): answers mirror the request's compression and
// ids, bodies are json_encode() of the answer, PROLOG and XML replies for legacy agents, error
// answers, and send() through a real HTTP server (php -S) with stray output before it.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

require_once __DIR__ . '/ProtocolAssertions.php';

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decompress;

final class ResponseTest extends TestCase
{
    use ProtocolAssertions;

    private const AGENT = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';
    private const CONTACT = '{"action":"contact","deviceid":"vm-1"}';
    private const OK = ['status' => 'ok', 'expiration' => 24];
    private const XML_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY>";

    /** @param array<string, string> $headers */
    private static function request(string $encoding = 'zlib', array $headers = [], string $body = self::CONTACT): Request
    {
        $type = $encoding === 'none' ? 'application/json' : "application/x-compress-$encoding";
        return Request::decode(compress($body, $encoding), $headers + [
            'Content-Type' => $type,
            'GLPI-Agent-ID' => self::AGENT,
            'GLPI-Request-ID' => 'F4CCE510',
        ]);
    }

    /** The captured legacy requests of fusioninventory-agent 2.6 (no GLPI-Agent-ID). */
    private static function legacy(string $exchange): Request
    {
        return Request::decode(self::data("wire/fusioninventory-agent/$exchange.request.zlib"), ['Content-Type' => 'application/x-compress-zlib']);
    }

    /** PHP's own decoder for each answer compression. */
    private static function inflate(string $encoding, string $body): string
    {
        $plain = match ($encoding) {
            'zlib' => gzuncompress($body),
            'gzip' => gzdecode($body),
            'deflate' => gzinflate($body),
            'br' => decompress($body, 'br'),
            'none' => $body,
        };
        if ($plain === false) {
            throw new \RuntimeException("PHP cannot decode this $encoding answer");
        }
        return $plain;
    }

    // forRequest

    /** @return array<string, array{string, string, string}> request type, encoding, answer type */
    public static function mirrored(): array
    {
        return [
            'json' => ['application/json', 'none', 'application/json'],
            'zlib' => ['application/x-compress-zlib', 'zlib', 'application/x-compress-zlib'],
            'zlib short' => ['application/x-zlib', 'zlib', 'application/x-compress-zlib'],
            'gzip' => ['application/x-compress-gzip', 'gzip', 'application/x-compress-gzip'],
            'gzip short' => ['application/x-gzip', 'gzip', 'application/x-compress-gzip'],
            'deflate' => ['application/x-compress-deflate', 'deflate', 'application/x-compress-deflate'],
            'deflate short' => ['application/x-deflate', 'deflate', 'application/x-compress-deflate'],
            'br' => ['application/x-compress-br', 'br', 'application/x-compress-br'],
            'br short (as GLPI spells it)' => ['application/x-br', 'br', 'application/x-br'],
            'zlib sniffed' => ['text/plain', 'zlib', 'application/x-compress-zlib'],
            'gzip sniffed, no type' => ['', 'gzip', 'application/x-compress-gzip'],
        ];
    }

    /** @dataProvider mirrored */
    public function testForRequestMirrorsTheRequest(string $requestType, string $encoding, string $answerType): void
    {
        $request = Request::decode(compress(self::CONTACT, $encoding), [
            'Content-Type' => $requestType,
            'GLPI-Agent-ID' => strtoupper(self::AGENT),
            'GLPI-Request-ID' => 'F4CCE510',
        ]);
        $answer = ['status' => 'ok', 'expiration' => 24, 'tasks' => ['inventory' => ['server' => 'glpi', 'version' => '10.0.0']]];
        $response = Response::forRequest($request, $answer);
        $this->assertSame(200, $response->status());
        $this->assertSame([
            'Content-Type' => $answerType,
            'Pragma' => 'no-cache',
            'GLPI-Agent-ID' => self::AGENT,
            'GLPI-Request-ID' => 'F4CCE510',
        ], $response->headers());
        $this->assertSame(json_encode($answer), self::inflate($encoding, $response->body()));
        $this->assertSame(json_encode($answer), decompress($response->body(), $encoding));
        if ($encoding === 'zlib') {
            $this->assertStringStartsWith("\x78\x9c", $response->body(), 'the only zlib header some agents read');
        }
        if ($encoding === 'gzip') {
            $this->assertStringStartsWith("\x1f\x8b\x08", $response->body());
        }
    }

    public function testNoIdHeadersWithoutIds(): void
    {
        $request = Request::decode(self::CONTACT, ['Content-Type' => 'application/json', 'GLPI-Request-ID' => 'f4cce510']);
        $this->assertNull($request->requestId());
        $response = Response::forRequest($request, self::OK);
        $this->assertSame(['Content-Type' => 'application/json', 'Pragma' => 'no-cache'], $response->headers());
        $this->assertSame('{"status":"ok","expiration":24}', $response->body());
    }

    public function testAcceptOverridesTheMirror(): void
    {
        $cases = [
            'application/x-compress-gzip' => ['gzip', 'application/x-compress-gzip'],
            'application/json' => ['none', 'application/json'],
            'application/x-deflate;q=0.9, application/json;q=0.1' => ['deflate', 'application/x-compress-deflate'],
            'application/xml; q=0.1, application/json; q=0.5, application/x-compress-zlib; q=0.7, application/x-compress-gzip; q=0.8, application/x-compress-br' => ['br', 'application/x-compress-br'],
            '*/*' => ['zlib', 'application/x-compress-zlib'],
        ];
        foreach ($cases as $accept => [$encoding, $type]) {
            $response = Response::forRequest(self::request('zlib', ['Accept' => $accept]), self::OK);
            $this->assertSame($type, $response->headers()['Content-Type'], $accept);
            $this->assertSame(json_encode(self::OK), self::inflate($encoding, $response->body()), $accept);
        }
        $request = self::request('zlib', ['Accept' => 'text/html']);
        $e = $this->assertProtocolError(406, 'not acceptable', fn () => Response::forRequest($request, self::OK));
        // Its error answer falls back to plain JSON, the one type every agent reads.
        $error = Response::forError($e, $request);
        $this->assertSame(406, $error->status());
        $this->assertSame('application/json', $error->headers()['Content-Type']);
        $this->assertSame(json_encode($e->getAnswer()), $error->body());
    }

    /** @return array<string, array{array<mixed>}> */
    public static function answers(): array
    {
        return [
            'minimal' => [['status' => 'ok']],
            'spec contact answer' => [['status' => 'ok', 'expiration' => 24, 'tasks' => ['inventory' => ['server' => 'glpi', 'version' => '10.0.0']]]],
            'delay strings' => [['status' => 'pending', 'needs' => 'token-validation', 'expiration' => '1m', 'challenge' => 'a3540c0e-ac3c-46cf-892f-692ca02209f8']],
            'unicode and escapes' => [['status' => 'ok', 'message' => "Société / \"quoted\" \\ 😀 <tag> & \u{2028}\x01\x1f\t\n", 'path' => 'C:\\Program Files/GLPI']],
            'floats' => [['status' => 'ok', 'f' => [0.1, 1 / 3, 1e22, 1.0, -0.0, -1.5e-7, 1e15, 1e16, 1e17, PHP_FLOAT_EPSILON, 123456789012345678.0, PHP_FLOAT_MAX, 5e-324]]],
            'ints and scalars' => [['status' => 'ok', 'n' => [0, -1, PHP_INT_MAX, PHP_INT_MIN, true, false, null, '', '0', '1e3']]],
            'lists and maps' => [['status' => 'ok', 'empty' => [], 'list' => [1, [2, [3]]], 'sparse' => [5 => 'a', 7 => 'b'], 'shifted' => [1 => 'x'], 'numeric keys' => ['10' => 'x', '-3' => 'y', '01' => 'z']]],
            'objects' => [['status' => 'ok', 'empty' => new \stdClass(), 'obj' => (object) ['a' => 1, 'b' => (object) ['c' => [1, 2]]], 'list of objects' => [(object) [], (object) ['x' => null]]]],
            'error answer' => [['status' => 'error', 'message' => 'busy server', 'expiration' => '30m']],
            'deep' => [['status' => 'ok', 'deep' => json_decode(str_repeat('[', 200) . str_repeat(']', 200))]],
        ];
    }

    /**
     * @dataProvider answers
     * @param array<mixed> $answer
     */
    public function testBodyIsJsonEncodeOfTheAnswer(array $answer): void
    {
        foreach (['none', 'zlib', 'gzip', 'deflate', 'br'] as $encoding) {
            $response = Response::forRequest(self::request($encoding), $answer);
            $this->assertSame(json_encode($answer), self::inflate($encoding, $response->body()), $encoding);
        }
    }

    public function testInvalidAnswersAreCallerErrors(): void
    {
        $request = self::request();
        $bad = [
            'empty' => [],
            'no status' => ['expiration' => 24],
            'expiration 0' => ['status' => 'ok', 'expiration' => 0],
            'expiration "0"' => ['status' => 'ok', 'expiration' => '0'],
            'expiration -5' => ['status' => 'ok', 'expiration' => -5],
            'expiration "-5"' => ['status' => 'ok', 'expiration' => '-5'],
            'expiration "1w"' => ['status' => 'ok', 'expiration' => '1w'],
            'expiration ""' => ['status' => 'ok', 'expiration' => ''],
            'expiration 1.5' => ['status' => 'ok', 'expiration' => 1.5],
            'expiration null' => ['status' => 'ok', 'expiration' => null],
            'upper-case status' => ['status' => 'OK'],
            'status with a space' => ['status' => 'not ok'],
            'int status' => ['status' => 200],
            'null status' => ['status' => null],
            'message not a string' => ['status' => 'error', 'message' => ['x']],
            'a list' => ['ok', 24],
        ];
        foreach ($bad as $name => $answer) {
            $this->assertValueError(fn () => Response::forRequest($request, $answer), $name);
        }
        // Where json_encode itself fails, so does the answer.
        foreach (['not UTF-8' => ['status' => 'ok', 'x' => "caf\xe9"], 'NaN' => ['status' => 'ok', 'x' => NAN], 'INF' => ['status' => 'ok', 'x' => INF]] as $name => $answer) {
            $this->assertFalse(json_encode($answer), $name);
            $this->assertValueError(fn () => Response::forRequest($request, $answer), $name);
        }
        $this->expectException(\TypeError::class);
        Response::forRequest($request, 'ok');
    }

    public function testReferencesInAnswersStandForTheirValues(): void
    {
        $tasks = ['inventory' => ['server' => 'glpi'], 'deploy' => ['server' => 'glpi']];
        foreach ($tasks as &$task) {
            $task['version'] = '10.0.0';
        }
        // The by-reference loop leaves the last element a PHP reference.
        unset($task);
        $expiration = 24;
        $answer = ['status' => 'ok', 'expiration' => &$expiration, 'tasks' => $tasks];
        $object = new \stdClass();
        $object->list = [1, 2];
        $alias = &$object->list;
        $answer['object'] = $object;
        $this->assertSame(json_encode($answer), Response::forRequest(self::request('none'), $answer)->body());
    }

    public function testObjectsAreWrittenAsJsonEncodeWritesThem(): void
    {
        // Answers are written by PHP's own json_encode, so every object shows exactly as GLPI
        // would send it: public members, jsonSerialize(), DateTime's fields.
        $request = self::request('none');
        $objects = [
            'class with private members' => new class () {
                public $shown = 1;
                private $hidden = 'secret';
            },
            'JsonSerializable' => new class () implements \JsonSerializable {
                public function jsonSerialize(): mixed
                {
                    return ['x' => 1];
                }
            },
            'DateTime' => new \DateTimeImmutable('2020-01-01 00:00:00 UTC'),
        ];
        foreach ($objects as $name => $object) {
            $answer = ['status' => 'ok', 'v' => $object];
            $this->assertSame(json_encode($answer), Response::forRequest($request, $answer)->body(), $name);
        }
        $this->assertStringNotContainsString('secret', Response::forRequest($request, ['status' => 'ok', 'v' => $objects['class with private members']])->body());
        $this->assertSame('{"status":"ok","v":{"a":1,"b":{}}}', Response::forRequest($request, ['status' => 'ok', 'v' => (object) ['a' => 1, 'b' => new \stdClass()]])->body());
    }

    public function testKeysMustBeUtf8LikeJsonEncodeWants(): void
    {
        $request = self::request('none');
        foreach (['array key' => ['status' => 'ok', "k\xff" => 1], 'property' => ['status' => 'ok', 'o' => (object) ["k\xff" => 1]]] as $name => $answer) {
            $this->assertFalse(json_encode($answer), $name);
            $this->assertValueError(fn () => Response::forRequest($request, $answer), $name);
        }
    }

    public function testCapturedGlpiAgentExchangesGetTheCapturedAnswers(): void
    {
        $manifest = json_decode(self::data('wire/manifest.json'), true, 512, JSON_THROW_ON_ERROR);
        $seen = 0;
        foreach ($manifest['exchanges'] as $exchange) {
            if ($exchange['request']['format'] !== 'json') {
                continue;
            }
            $headers = [];
            foreach ($exchange['request']['headers'] as [$name, $value]) {
                $headers[$name] = $value;
            }
            $request = Request::decode(self::data('wire/' . $exchange['files']['raw_body']), $headers);
            $captured = $exchange['capture_server_answer'];
            $response = Response::forRequest($request, json_decode($captured['body'], true));
            $this->assertSame($captured['status'], $response->status());
            $this->assertSame($captured['body'], gzuncompress($response->body()), 'byte for byte what the agent accepted');
            $expected = [];
            foreach ($captured['headers'] as [$name, $value]) {
                if (in_array($name, ['Content-Type', 'Pragma', 'GLPI-Agent-ID', 'GLPI-Request-ID'], true)) {
                    $expected[$name] = $value;
                }
            }
            $this->assertSame($expected, $response->headers());
            $seen++;
        }
        $this->assertSame(5, $seen);
    }

    // PROLOG and legacy XML

    public function testPrologOfALegacyAgentIsAnsweredInXml(): void
    {
        $request = self::legacy('01-prolog');
        $this->assertSame('prolog', $request->action());
        $this->assertNull($request->agentId());
        $response = Response::prolog($request);
        $this->assertSame(200, $response->status());
        $this->assertSame(['Content-Type' => 'application/x-compress-zlib', 'Pragma' => 'no-cache'], $response->headers());
        $this->assertStringStartsWith("\x78\x9c", $response->body());
        $xml = gzuncompress($response->body());
        $this->assertSame(self::XML_HEAD . '<PROLOG_FREQ>24</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>', $xml);
        $manifest = json_decode(self::data('wire/manifest.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame($manifest['exchanges'][6]['capture_server_answer']['body'], $xml, 'the reply fusioninventory-agent accepted');
        $reply = simplexml_load_string($xml);
        $this->assertSame('24', (string) $reply->PROLOG_FREQ);
        $this->assertSame('SEND', (string) $reply->RESPONSE);

        $this->assertSame(self::XML_HEAD . '<PROLOG_FREQ>12</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>', gzuncompress(Response::prolog($request, 12)->body()));
        $plain = Request::decode(gzuncompress(self::data('wire/fusioninventory-agent/01-prolog.request.zlib')), ['Content-Type' => 'application/xml']);
        $response = Response::prolog($plain, 1);
        $this->assertSame('application/xml', $response->headers()['Content-Type']);
        $this->assertSame(self::XML_HEAD . '<PROLOG_FREQ>1</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>', $response->body());
        foreach ([0, -1, PHP_INT_MAX] as $bad) {
            $this->assertValueError(fn () => Response::prolog($request, $bad), (string) $bad);
        }
    }

    public function testPrologWithAnAgentIdIsAnsweredInJsonLikeGlpi10(): void
    {
        // glpi-agent sends the XML PROLOG with GLPI-Agent-ID to a server it does not know yet.
        $raw = self::data('wire/glpi-agent/01-prolog.request.zlib');
        $request = Request::decode($raw, ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => self::AGENT]);
        $this->assertSame('xml', $request->mode());
        $this->assertSame('prolog', $request->action());
        $response = Response::prolog($request);
        $this->assertSame(['Content-Type' => 'application/x-compress-zlib', 'Pragma' => 'no-cache', 'GLPI-Agent-ID' => self::AGENT], $response->headers());
        $this->assertSame('{"status":"ok","expiration":24}', gzuncompress($response->body()));
        // The capture server answered the same members in another order; the agent reads JSON.
        $this->assertEquals(json_decode('{"expiration":24,"status":"ok"}', true), json_decode(gzuncompress($response->body()), true));
        $this->assertSame('{"status":"ok","expiration":6}', gzuncompress(Response::prolog($request, 6)->body()));
    }

    public function testXmlAck(): void
    {
        $request = self::legacy('02-inventory-xml');
        $this->assertSame('inventory', $request->action());
        $response = Response::xmlAck($request);
        $this->assertSame(200, $response->status());
        $this->assertSame(['Content-Type' => 'application/x-compress-zlib', 'Pragma' => 'no-cache'], $response->headers());
        $xml = gzuncompress($response->body());
        $this->assertSame(self::XML_HEAD . '<RESPONSE>SEND</RESPONSE></REPLY>', $xml);
        $manifest = json_decode(self::data('wire/manifest.json'), true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame($manifest['exchanges'][7]['capture_server_answer']['body'], $xml);
        $this->assertSame('SEND', (string) simplexml_load_string($xml)->RESPONSE);
        $gzip = Request::decode(gzencode(self::data('wire/fusioninventory-agent/02-inventory-xml.request.xml')), ['Content-Type' => 'application/x-gzip']);
        $this->assertSame(self::XML_HEAD . '<RESPONSE>SEND</RESPONSE></REPLY>', gzdecode(Response::xmlAck($gzip)->body()));
    }

    // forError

    public function testForErrorOfADecodingFailure(): void
    {
        try {
            Request::decode('{"action":', ['Content-Type' => 'application/json']);
            $this->fail('no exception');
        } catch (ProtocolException $e) {
            $response = Response::forError($e);
        }
        $this->assertSame(400, $response->status());
        $this->assertSame(['Content-Type' => 'application/json', 'Pragma' => 'no-cache'], $response->headers());
        $this->assertSame('{"status":"error","message":"malformed json","expiration":24}', $response->body());
        $this->assertSame(json_encode($e->getAnswer()), $response->body());
        $this->assertSame(24, $e->getExpiration());

        $e = $this->assertProtocolError(415, 'unsupported content-type', fn () => Request::decode(self::CONTACT, ['Content-Type' => 'text/html']));
        $response = Response::forError($e, null);
        $this->assertSame(415, $response->status());
        $this->assertSame(json_encode($e->getAnswer()), $response->body());

        $e = $this->assertProtocolError(413, ['compression ratio too high', 'payload too large'], fn () => Request::decode(gzcompress(str_repeat(' ', 1000)), [], ['max_decoded_bytes' => 10]));
        $this->assertSame(413, Response::forError($e)->status());
    }

    public function testForErrorOfAHandMadeExceptionMirrorsTheRequest(): void
    {
        $request = self::request('gzip');
        $e = new ProtocolException('busy server', 503, 'the queue is full', '30m');
        $response = Response::forError($e, $request);
        $this->assertSame(503, $response->status());
        $this->assertSame([
            'Content-Type' => 'application/x-compress-gzip',
            'Pragma' => 'no-cache',
            'GLPI-Agent-ID' => self::AGENT,
            'GLPI-Request-ID' => 'F4CCE510',
        ], $response->headers());
        $this->assertSame('{"status":"error","message":"busy server","expiration":"30m"}', gzdecode($response->body()));
        $this->assertStringNotContainsString('queue', gzdecode($response->body()), 'the message stays on the server');

        $bare = Response::forError(new ProtocolException('forbidden', 403), self::request('none'));
        $this->assertSame(403, $bare->status());
        $this->assertSame('{"status":"error","message":"forbidden"}', $bare->body(), 'no expiration given, none sent');

        $this->assertSame(
            '{"status":"error","message":"proxy-loop-detected","expiration":24}',
            gzuncompress(Response::forError(new ProtocolException('proxy-loop-detected', 404, null, 24), self::request())->body())
        );
    }

    public function testSubclassesAreAccepted(): void
    {
        $e = new class ('too-many-proxy', 404) extends ProtocolException {
        };
        $response = Response::forError($e);
        $this->assertSame(404, $response->status());
        $this->assertSame('{"status":"error","message":"too-many-proxy"}', $response->body());
    }

    public function testForErrorTakesOnlyProtocolExceptions(): void
    {
        $this->assertValueError(fn () => Response::forError(new \RuntimeException('x', 400)));
        $this->assertValueError(fn () => Response::forError(new \stdClass()));
        // An expiration no agent could read is refused like in forRequest.
        $this->assertValueError(fn () => Response::forError(new ProtocolException('forbidden', 403, null, 0)));
        $this->expectException(\TypeError::class);
        Response::forError('forbidden');
    }

    public function testUnauthorizedCarriesWwwAuthenticate(): void
    {
        $e = new ProtocolException('unauthorized', 401);
        $this->assertSame('Basic realm="GLPI"', Response::forError($e)->headers()['WWW-Authenticate']);
        $this->assertSame('Basic realm="GLPI"', Response::forError($e, self::request())->headers()['WWW-Authenticate']);
        $this->assertSame('Basic realm="GLPI inventory"', Response::forError($e, null, 'GLPI inventory')->headers()['WWW-Authenticate']);
        $this->assertSame('Basic realm="a \"b\" \\\\ c"', Response::forError($e, null, 'a "b" \\ c')->headers()['WWW-Authenticate'], 'quotes escaped');
        $this->assertSame('Basic realm="xSet-Cookie: y"', Response::forError($e, null, "x\r\nSet-Cookie: y")->headers()['WWW-Authenticate'], 'no header splitting');
        $this->assertSame(401, Response::forError($e)->status());
        foreach ([400, 403, 404, 500] as $status) {
            $this->assertArrayNotHasKey('WWW-Authenticate', Response::forError(new ProtocolException('x', $status))->headers());
        }
    }

    public function testLegacyRequestsRefusedWhileDecodingGetXmlErrors(): void
    {
        // No Request exists yet: the exception itself says the refusal goes to a legacy agent.
        $cases = [
            'malformed xml' => ["<REQUEST><QUERY>PROLOG</QUERY>", 'application/xml'],
            'corrupt zlib' => ['not zlib at all', 'application/x-compress-zlib'],
            'truncated zlib xml' => [substr(gzcompress('<?xml version="1.0"?><REQUEST><QUERY>PROLOG</QUERY></REQUEST>'), 0, 12), 'application/x-compress-zlib'],
        ];
        foreach ($cases as $name => [$body, $type]) {
            try {
                Request::decode($body, ['Content-Type' => $type]);
                $this->fail("$name: no exception");
            } catch (ProtocolException $e) {
                $response = Response::forError($e);
            }
            $this->assertSame(400, $response->status(), $name);
            $this->assertSame(['Content-Type' => 'application/xml', 'Pragma' => 'no-cache'], $response->headers(), $name);
            $this->assertSame(self::XML_HEAD . '<ERROR>' . $e->getToken() . '</ERROR></REPLY>', $response->body(), $name);
        }
        // The same refusals of a GLPI agent (it sends its id), or of a request that names no
        // type legacy agents send, stay JSON.
        foreach ([['Content-Type' => 'application/xml', 'GLPI-Agent-ID' => self::AGENT], ['Content-Type' => 'text/html'], []] as $headers) {
            try {
                Request::decode('<REQUEST>', $headers);
                $this->fail('no exception');
            } catch (ProtocolException $e) {
                $this->assertSame('application/json', Response::forError($e)->headers()['Content-Type'], json_encode($headers));
            }
        }
    }

    public function testLegacyRequestsGetXmlErrors(): void
    {
        $request = self::legacy('01-prolog');
        $response = Response::forError(new ProtocolException('forbidden', 403), $request);
        $this->assertSame(403, $response->status());
        $this->assertSame(['Content-Type' => 'application/x-compress-zlib', 'Pragma' => 'no-cache'], $response->headers());
        $xml = gzuncompress($response->body());
        $this->assertSame(self::XML_HEAD . '<ERROR>forbidden</ERROR></REPLY>', $xml);
        $this->assertSame('forbidden', (string) simplexml_load_string($xml)->ERROR);
        $odd = gzuncompress(Response::forError(new ProtocolException("a<b>&'\"c\x01", 400), $request)->body());
        $this->assertSame("a<b>&'\"c", (string) simplexml_load_string($odd)->ERROR, 'escaped, and the control character dropped');
        // A legacy request whose Accept admits no XML: its PROLOG cannot be answered, and the
        // error reply falls back to plain XML rather than failing in turn.
        $picky = Request::decode(self::data('wire/fusioninventory-agent/01-prolog.request.zlib'), ['Content-Type' => 'application/x-compress-zlib', 'Accept' => 'application/json']);
        $e = $this->assertProtocolError(406, 'not acceptable', fn () => Response::prolog($picky));
        $this->assertProtocolError(406, 'not acceptable', fn () => Response::xmlAck($picky));
        $fallback = Response::forError($e, $picky);
        $this->assertSame(406, $fallback->status());
        $this->assertSame(['Content-Type' => 'application/xml', 'Pragma' => 'no-cache'], $fallback->headers());
        $this->assertSame(self::XML_HEAD . '<ERROR>not acceptable</ERROR></REPLY>', $fallback->body());
        $this->assertSame('application/xml', Response::forError(new ProtocolException('forbidden', 403), $picky)->headers()['Content-Type']);
        $xmlOnly = Request::decode(self::data('wire/fusioninventory-agent/01-prolog.request.zlib'), ['Content-Type' => 'application/x-compress-zlib', 'Accept' => 'application/xml']);
        $this->assertSame('application/xml', Response::prolog($xmlOnly)->headers()['Content-Type'], 'Accept chooses among XML types');
        // A JSON request with GLPI-Agent-ID is answered in JSON, even a PROLOG.
        $json = Response::forError(new ProtocolException('forbidden', 403), self::request());
        $this->assertSame('{"status":"error","message":"forbidden"}', gzuncompress($json->body()));
    }

    public function testObjectsCannotBeMadeDirectly(): void
    {
        $this->expectException(\Throwable::class);
        new Response();
    }

    // send() through a real server

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($socket === false) {
            throw new \RuntimeException("no free port: $errstr");
        }
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    private const ROUTER = <<<'PHP'
<?php
// A stray BOM and newline, as an included file with a BOM would print, in PHP's own buffer
// (output_buffering) or in buffers the application started.
$case = $_GET['case'] ?? 'ok';
if ($case === 'nested') {
    ob_start();
    echo "\xEF\xBB\xBF\n";
    ob_start();
    echo "more stray output";
} elseif ($case !== 'clean') {
    echo "\xEF\xBB\xBF\n";
}
$request = null;
try {
    $headers = $case === 'server' ? $_SERVER : getallheaders();
    if ($case === 'auth' && !GlpiAgentProtocol\check_basic_auth($headers['Authorization'] ?? null, 'glpi', 's3cret')) {
        throw new GlpiAgentProtocol\ProtocolException('unauthorized', 401);
    }
    $request = GlpiAgentProtocol\Request::decode(file_get_contents('php://input'), $headers);
    if ($request->action() === 'prolog') {
        $response = GlpiAgentProtocol\Response::prolog($request);
    } else {
        $response = GlpiAgentProtocol\Response::forRequest($request, ['status' => 'ok', 'expiration' => 24, 'case' => $case]);
    }
} catch (GlpiAgentProtocol\ProtocolException $e) {
    $response = GlpiAgentProtocol\Response::forError($e, $request);
}
$response->send();
PHP;

    /** @return array{0: resource, 1: int, 2: string} */
    private static function startServer(int $outputBuffering, string $moreIni = ''): array
    {
        $dir = sys_get_temp_dir() . '/gap-phpunit-' . bin2hex(random_bytes(6));
        mkdir($dir);
        file_put_contents("$dir/router.php", self::ROUTER);
        $port = self::freePort();
        $command = 'exec ' . php_with_extension() . " -d output_buffering=$outputBuffering -d display_errors=stderr $moreIni"
            . ' -S 127.0.0.1:' . $port . ' -t ' . escapeshellarg($dir) . ' ' . escapeshellarg("$dir/router.php");
        $server = proc_open($command, [0 => ['pipe', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', "$dir/server.log", 'w']], $pipes);
        if (!is_resource($server)) {
            throw new \RuntimeException('php -S did not start');
        }
        for ($i = 0; $i < 200; $i++) {
            $probe = @fsockopen('127.0.0.1', $port, $errno, $errstr, 1.0);
            if ($probe !== false) {
                fclose($probe);
                return [$server, $port, $dir];
            }
            if (!proc_get_status($server)['running']) {
                break;
            }
            usleep(50000);
        }
        proc_terminate($server);
        throw new \RuntimeException('php -S is not listening: ' . file_get_contents("$dir/server.log"));
    }

    /**
     * @param list<string> $headers
     * @return array{0: int, 1: array<string, string>, 2: string}
     */
    private static function post(int $port, string $case, string $body, array $headers): array
    {
        $context = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => implode("\r\n", array_merge($headers, ['Connection: close'])),
            'content' => $body,
            'ignore_errors' => true,
            'timeout' => 30,
        ]]);
        $answer = file_get_contents("http://127.0.0.1:$port/?case=$case", false, $context);
        if ($answer === false) {
            throw new \RuntimeException('no answer');
        }
        $status = 0;
        $received = [];
        foreach ($http_response_header as $line) {
            if (preg_match('#^HTTP/\d\.\d (\d{3})#', $line, $m)) {
                $status = (int) $m[1];
            } elseif (str_contains($line, ':')) {
                [$name, $value] = explode(':', $line, 2);
                $received[strtolower($name)] = trim($value);
            }
        }
        return [$status, $received, $answer];
    }

    /** Stops the server, removes its directory and returns its log. */
    private static function stopServer($server, string $dir): string
    {
        proc_terminate($server);
        proc_close($server);
        $log = (string) @file_get_contents("$dir/server.log");
        array_map('unlink', glob("$dir/*"));
        rmdir($dir);
        return $log;
    }

    private const CLEAN_LOG = ['Warning', 'Notice', 'Fatal', 'headers already sent'];

    public function testSendThroughARealServerDropsStrayOutput(): void
    {
        // output_buffering as php.ini-production sets it: what lets send() drop stray output.
        [$server, $port, $dir] = self::startServer(4096);
        try {
            $raw = gzcompress(self::CONTACT);
            $requestHeaders = ['Content-Type: application/x-compress-zlib', 'GLPI-Agent-ID: ' . self::AGENT, 'GLPI-Request-ID: 6FB6BD6B', 'Pragma: no-cache'];
            // 'server' decodes the server's own $_SERVER, where php -S puts both CONTENT_TYPE
            // and HTTP_CONTENT_TYPE.
            foreach (['ok', 'nested', 'server'] as $case) {
                [$status, $headers, $body] = self::post($port, $case, $raw, $requestHeaders);
                $expected = Response::forRequest(
                    Request::decode($raw, ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => self::AGENT, 'GLPI-Request-ID' => '6FB6BD6B']),
                    ['status' => 'ok', 'expiration' => 24, 'case' => $case]
                );
                $this->assertSame(200, $status, $case);
                $this->assertSame('application/x-compress-zlib', $headers['content-type'], $case);
                $this->assertSame('no-cache', $headers['pragma']);
                $this->assertSame(self::AGENT, $headers['glpi-agent-id']);
                $this->assertSame('6FB6BD6B', $headers['glpi-request-id']);
                $this->assertSame((string) strlen($expected->body()), $headers['content-length']);
                $this->assertSame(bin2hex($expected->body()), bin2hex($body), "$case: exactly the compressed answer, no stray bytes");
                $this->assertSame(json_encode(['status' => 'ok', 'expiration' => 24, 'case' => $case]), gzuncompress($body));
            }

            // A peer's mistake: the error answer, plain JSON, with its status.
            [$status, $headers, $body] = self::post($port, 'ok', 'not zlib at all', ['Content-Type: application/x-compress-zlib', 'GLPI-Agent-ID: ' . self::AGENT]);
            $this->assertSame(400, $status);
            $this->assertSame('application/json', $headers['content-type']);
            $this->assertSame('{"status":"error","message":"corrupt compressed data","expiration":24}', $body);

            // Basic credentials: 401 with WWW-Authenticate, then the real answer.
            [$status, $headers, $body] = self::post($port, 'auth', $raw, $requestHeaders);
            $this->assertSame(401, $status);
            $this->assertSame('Basic realm="GLPI"', $headers['www-authenticate']);
            $this->assertSame('{"status":"error","message":"unauthorized"}', $body);
            [$status, , $body] = self::post($port, 'auth', $raw, array_merge($requestHeaders, ['Authorization: Basic ' . base64_encode('glpi:s3cret')]));
            $this->assertSame(200, $status);
            $this->assertSame('{"status":"ok","expiration":24,"case":"auth"}', gzuncompress($body));

            // A legacy agent's PROLOG through the server: the XML reply it accepted in the capture.
            [$status, $headers, $body] = self::post($port, 'ok', self::data('wire/fusioninventory-agent/01-prolog.request.zlib'), ['Content-Type: application/x-compress-zlib']);
            $this->assertSame(200, $status);
            $this->assertSame('application/x-compress-zlib', $headers['content-type']);
            $this->assertSame(self::XML_HEAD . '<PROLOG_FREQ>24</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>', gzuncompress($body));
            $this->assertArrayNotHasKey('glpi-agent-id', $headers);
        } finally {
            $log = self::stopServer($server, $dir);
        }
        foreach (self::CLEAN_LOG as $word) {
            $this->assertStringNotContainsString($word, $log);
        }
    }

    public function testSendIsNotCompressedAgainByZlibOutputCompression(): void
    {
        // zlib.output_compression would gzip the already compressed answer for a client that
        // sends Accept-Encoding: gzip, and agents do not undo HTTP content codings.
        [$server, $port, $dir] = self::startServer(4096, '-d zlib.output_compression=On');
        try {
            $raw = gzcompress(self::CONTACT);
            [$status, $headers, $body] = self::post($port, 'ok', $raw, ['Content-Type: application/x-compress-zlib', 'Accept-Encoding: gzip']);
            $this->assertSame(200, $status);
            $this->assertArrayNotHasKey('content-encoding', $headers);
            $this->assertSame('application/x-compress-zlib', $headers['content-type']);
            $this->assertSame(json_encode(['status' => 'ok', 'expiration' => 24, 'case' => 'ok']), gzuncompress($body));
        } finally {
            $log = self::stopServer($server, $dir);
        }
        foreach (self::CLEAN_LOG as $word) {
            $this->assertStringNotContainsString($word, $log);
        }
    }

    public function testSendWithoutPhpOutputBuffering(): void
    {
        // output_buffering=0 (the CLI default): nothing stray to drop, or only what the
        // application's own buffers hold.
        [$server, $port, $dir] = self::startServer(0);
        try {
            $raw = gzencode(self::CONTACT);
            foreach (['clean', 'nested'] as $case) {
                [$status, $headers, $body] = self::post($port, $case, $raw, ['Content-Type: application/x-gzip', 'GLPI-Agent-ID: ' . self::AGENT]);
                $this->assertSame(200, $status, $case);
                $this->assertSame('application/x-compress-gzip', $headers['content-type'], $case);
                $this->assertSame(self::AGENT, $headers['glpi-agent-id']);
                $this->assertArrayNotHasKey('glpi-request-id', $headers);
                $this->assertSame((string) strlen($body), $headers['content-length']);
                $this->assertSame(json_encode(['status' => 'ok', 'expiration' => 24, 'case' => $case]), gzdecode($body), $case);
            }
        } finally {
            $log = self::stopServer($server, $dir);
        }
        foreach (self::CLEAN_LOG as $word) {
            $this->assertStringNotContainsString($word, $log);
        }
    }
}
