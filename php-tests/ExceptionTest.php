<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

require_once __DIR__ . '/ProtocolAssertions.php';

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;
use PHPUnit\Framework\TestCase;

use GlpiAgentProtocol\RegisterAgent;
use GlpiAgentProtocol\RegisterServer;

use function GlpiAgentProtocol\check_basic_auth;
use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\decompress;
use function GlpiAgentProtocol\negotiate;
use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;
use function GlpiAgentProtocol\unwrap_key;
use function GlpiAgentProtocol\wrap_key;

final class ExceptionTest extends TestCase
{
    use ProtocolAssertions;

    private const AGENT = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';

    protected function tearDown(): void
    {
        ini_restore('zend.exception_ignore_args');
        ini_restore('zend.exception_string_param_max_len');
    }
    public function testProtocolExceptionIsARuntimeExceptionCarryingStatusAndToken(): void
    {
        $e = new ProtocolException('forbidden', 403, null, '1d');
        $this->assertInstanceOf(\RuntimeException::class, $e);
        $this->assertSame(403, $e->getCode());
        $this->assertSame('forbidden', $e->getToken());
        $this->assertSame('forbidden', $e->getMessage());
        $this->assertSame(['status' => 'error', 'message' => 'forbidden', 'expiration' => '1d'], $e->getAnswer());
        $this->assertSame(__FILE__, $e->getFile());
        $this->assertSame(__LINE__ - 7, $e->getLine());
    }

    public function testEveryTokenIsAClassConstantWithItsStatus(): void
    {
        $constants = (new \ReflectionClass(ProtocolException::class))->getConstants();
        // The README's error table lists every token of the extension with its status.
        preg_match_all('/^\| (\d{3}) \| `([^`]+)` \|/m', (string) file_get_contents(__DIR__ . '/../README.md'), $rows, PREG_SET_ORDER);
        $readme = [];
        foreach ($rows as [, $status, $token]) {
            $readme[$token] = (int) $status;
        }
        $this->assertNotEmpty($readme);
        $this->assertCount(count($readme), $constants, 'one constant per token of the README table');
        foreach ($constants as $name => $token) {
            $this->assertMatchesRegularExpression('/^[A-Z][A-Z0-9_]*$/', $name);
            $this->assertArrayHasKey($token, $readme, $name);
            $this->assertSame($readme[$token], ProtocolException::statusOf($token), $token);
        }
        $this->assertSame('bad-format', ProtocolException::BAD_FORMAT);
        $this->assertSame('proxy-loop-detected', ProtocolException::PROXY_LOOP_DETECTED);
        $this->assertNull(ProtocolException::statusOf('registration required'));
        $this->assertNull(ProtocolException::statusOf('BAD-FORMAT'));
    }

    public function testAnswerOmitsExpirationWhenNoneWasGiven(): void
    {
        $e = new ProtocolException('busy server', 503, 'the queue is full');
        $this->assertSame('the queue is full', $e->getMessage());
        $this->assertSame(['status' => 'error', 'message' => 'busy server'], $e->getAnswer());
    }

    public function testAStatusOutsideTheErrorRangeIsCallerMisuse(): void
    {
        $this->expectException(\ValueError::class);
        new ProtocolException('ok', 200);
    }

    public function testPhpCodeCanCatchItAsRuntimeException(): void
    {
        try {
            throw new ProtocolException('bad-format', 400);
        } catch (\RuntimeException $e) {
            $this->assertInstanceOf(ProtocolException::class, $e);
            $this->assertSame('bad-format', $e->getToken());
        }
    }

    /**
     * What a peer can get wrong, through every entry point: each case gives the call, the
     * status and the token.
     *
     * @return array<string, array{callable, int, string}>
     */
    public static function peerErrors(): array
    {
        $json = ['Content-Type' => 'application/json'];
        $zlib = ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => self::AGENT];
        $encrypted = ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => self::AGENT, 'GLPI-CryptoKey-ID' => self::AGENT];
        return [
            'unsupported content type' => [fn () => Request::decode('{}', ['Content-Type' => 'text/html']), 415, 'unsupported content-type'],
            'malformed json' => [fn () => Request::decode('{', $json), 400, 'malformed json'],
            'not an object' => [fn () => Request::decode('[]', $json), 400, 'bad-format'],
            'invalid utf-8' => [fn () => Request::decode("{\"a\":\"\xff\"}", $json), 400, 'invalid utf-8'],
            'too deep' => [fn () => Request::decode('{"a":[[[]]]}', $json, ['max_depth' => 2]), 400, 'json too deep'],
            'property name' => [fn () => Request::decode('{"\u0000x":1}', $json), 400, 'invalid property name'],
            'malformed xml' => [fn () => Request::decode('<REQUEST>', ['Content-Type' => 'application/xml', 'GLPI-Agent-ID' => self::AGENT]), 400, 'malformed xml'],
            'corrupt zlib' => [fn () => Request::decode('{}', $zlib), 400, 'corrupt compressed data'],
            'truncated zlib' => [fn () => Request::decode(substr(gzcompress('{"action":"contact"}'), 0, 10), $zlib), 400, 'truncated compressed data'],
            'too large' => [fn () => Request::decode(gzcompress('{"action":"contact"}'), $zlib, ['max_decoded_bytes' => 5]), 413, 'payload too large'],
            'bomb' => [fn () => decompress(gzcompress(str_repeat("\0", 4 << 20)), 'zlib'), 413, 'compression ratio too high'],
            'bad agent id' => [fn () => Request::decode('{}', ['GLPI-Agent-ID' => 'x']), 400, 'bad agent id'],
            'bad proxy id' => [fn () => Request::decode('{}', ['GLPI-Proxy-ID' => 'x']), 400, 'bad proxy id'],
            'too many proxies' => [fn () => Request::decode('{}', ['GLPI-Proxy-ID' => self::AGENT . ', 3a609a2e-947f-4e6a-9af9-32c024ac3944'], ['max_proxies' => 1]), 404, 'too-many-proxy'],
            'bad cryptokey id' => [fn () => Request::decode('{}', ['GLPI-CryptoKey-ID' => 'x']), 400, 'bad cryptokey id'],
            'unknown cryptokey' => [fn () => Request::decode('x', $encrypted), 403, 'unknown cryptokey'],
            'decryption failed' => [fn () => Request::decode('x', $encrypted, ['key' => str_repeat('k', 16)]), 400, 'decryption failed'],
            'not acceptable' => [fn () => negotiate('text/html'), 406, 'not acceptable'],
            'answer not acceptable' => [fn () => Response::forRequest(Request::decode('{}', ['Accept' => 'image/png']), ['status' => 'ok']), 406, 'not acceptable'],
            'wrong unwrapping key' => [fn () => unwrap_key(wrap_key(str_repeat('k', 16), str_repeat('a', 16)), str_repeat('b', 16)), 400, 'decryption failed'],
        ];
    }

    /** @dataProvider peerErrors */
    public function testEveryPeerErrorIsAProtocolExceptionWithAnHttpStatus(callable $call, int $status, string $token): void
    {
        $e = $this->assertProtocolError($status, $token, $call);
        $this->assertInstanceOf(\RuntimeException::class, $e);
        $this->assertGreaterThanOrEqual(400, $e->getCode());
        $this->assertLessThan(600, $e->getCode());
        $this->assertMatchesRegularExpression('/^[a-z0-9][a-z0-9 \-]*$/', $e->getToken());
        $this->assertNotSame('', $e->getMessage());
        $answer = $e->getAnswer();
        $this->assertSame('error', $answer['status']);
        $this->assertSame($e->getToken(), $answer['message']);
        $this->assertSame($e->getExpiration(), $answer['expiration']);
        $this->assertSame(__FILE__, $e->getFile(), 'the exception points at the calling code');
        // And its answer is one Response::forError() sends as it is.
        $response = Response::forError($e);
        $this->assertSame($status, $response->status());
        $this->assertSame(json_encode($answer), $response->body());
    }

    public function testDefaultExpirations(): void
    {
        $e = $this->assertProtocolError(400, 'malformed json', fn () => Request::decode('{', []));
        $this->assertSame(24, $e->getExpiration());
        $encrypted = ['GLPI-Agent-ID' => self::AGENT, 'GLPI-CryptoKey-ID' => self::AGENT];
        $e = $this->assertProtocolError(400, 'decryption failed', fn () => Request::decode('x', $encrypted, ['key' => str_repeat('k', 16)]));
        $this->assertSame('1h', $e->getExpiration(), 'an encryption failure asks for a new registration soon');
    }

    /** @return array<string, array{callable}> */
    public static function callerErrors(): array
    {
        return [
            'unknown option' => [fn () => Request::decode('{}', [], ['nope' => 1])],
            'key of 15 bytes' => [fn () => Request::decode('{}', [], ['key' => str_repeat('k', 15)])],
            'unknown encoding' => [fn () => decompress('x', 'zstd')],
            'level out of range' => [fn () => compress('x', 'zlib', 10)],
            'answer without status' => [fn () => Response::forRequest(Request::decode('{}', []), [])],
            'zero expiration' => [fn () => Response::forRequest(Request::decode('{}', []), ['status' => 'ok', 'expiration' => 0])],
            'kek of 5 bytes' => [fn () => wrap_key(str_repeat('k', 16), 'short')],
            'key of 3 bytes' => [fn () => wrap_key('abc', str_repeat('k', 16))],
            'status out of range' => [fn () => new ProtocolException('ok', 200)],
        ];
    }

    /** @dataProvider callerErrors */
    public function testCallerMisuseIsAValueErrorNeverAProtocolException(callable $call): void
    {
        $e = $this->assertValueError($call);
        $this->assertNotInstanceOf(ProtocolException::class, $e);
        $this->assertSame(__FILE__, $e->getFile());
    }

    /** Asserts that no form of any secret shows in the exception's text or innermost frame. */
    private function assertNoSecret(\Throwable $e, string ...$secrets): void
    {
        $frame = $e->getTrace()[0] ?? [];
        $this->assertArrayNotHasKey('args', $frame, 'the call into the extension keeps its arguments to itself');
        $this->assertArrayHasKey('function', $frame, 'the call is still named');
        $texts = [$e->getMessage(), $e->getTraceAsString(), (string) $e, var_export($frame, true)];
        if ($e instanceof ProtocolException) {
            $texts[] = var_export($e->getAnswer(), true);
        }
        foreach ($secrets as $secret) {
            foreach ([$secret, bin2hex($secret), strtoupper(bin2hex($secret)), base64_encode($secret), rtrim(base64_encode($secret), '=')] as $form) {
                foreach ($texts as $text) {
                    $this->assertStringNotContainsString($form, $text);
                }
            }
        }
    }

    public function testSecretsNeverAppearInMessagesOrTraces(): void
    {
        // The worst case: PHP's defaults without a php.ini record arguments in traces.
        ini_set('zend.exception_ignore_args', '0');
        ini_set('zend.exception_string_param_max_len', '1000000');
        $key = 'SessionKey:0123!';
        $kek = 'KeyEncryptingKey';
        $password = 'Pa55word-Never-Shown';
        $headers = [
            'Content-Type' => 'application/x-compress-zlib',
            'GLPI-Agent-ID' => self::AGENT,
            'GLPI-CryptoKey-ID' => self::AGENT,
            'Authorization' => 'Basic ' . base64_encode("glpi:$password"),
        ];
        $seen = 0;
        try {
            Request::decode(gzcompress('{"action":"contact"}'), $headers, ['key' => $key]);
        } catch (ProtocolException $e) {
            $this->assertSame('decryption failed', $e->getToken());
            $this->assertNoSecret($e, $key, $password);
            $seen++;
        }
        try {
            Request::decode('{', ['Authorization' => 'Basic ' . base64_encode("glpi:$password")], ['key' => $key]);
        } catch (ProtocolException $e) {
            $this->assertSame('malformed json', $e->getToken());
            $this->assertNoSecret($e, $key, $password);
            $seen++;
        }
        try {
            Request::decode('{}', [], ['key' => $key . 'x']);
        } catch (\ValueError $e) {
            $this->assertNoSecret($e, $key . 'x');
            $seen++;
        }
        try {
            unwrap_key(wrap_key($key, $kek), strrev($kek));
        } catch (ProtocolException $e) {
            $this->assertNoSecret($e, $key, $kek, strrev($kek), wrap_key($key, $kek));
            $seen++;
        }
        try {
            wrap_key($key, substr($kek, 0, 15));
        } catch (\ValueError $e) {
            $this->assertNoSecret($e, $key, substr($kek, 0, 15));
            $seen++;
        }
        try {
            wrap_key(substr($key, 0, 15), $kek);
        } catch (\ValueError $e) {
            $this->assertNoSecret($e, substr($key, 0, 15), $kek);
            $seen++;
        }
        $this->assertSame(6, $seen, 'every call threw');
    }

    /** @return array<string, array{callable, string}> */
    public static function wrongTypeCallsWithSecrets(): array
    {
        $token = '2b8e41f7-65d3-4b0e-9c7d-5a4f1e3b2c10';
        $kek = 'KeyEncryptingKey';
        $key = 'SessionKey:0123!';
        $password = 'Pa55word-Never-Shown';
        return [
            'verify with a token' => [fn () => RegisterServer::verify($token, 'state', []), $token],
            'challenge with a token' => [fn () => RegisterServer::challenge($token, []), $token],
            'agent answer with a token' => [fn () => RegisterAgent::answer($token, [], 'c'), $token],
            'agent finish with a token' => [fn () => RegisterAgent::finish($token, 's', [], null), $token],
            'wrap_key of an int under a KEK' => [fn () => wrap_key(123, $kek), $kek],
            'unwrap_key under a KEK' => [fn () => unwrap_key([], $kek), $kek],
            'seal_message with a key' => [fn () => seal_message('b', 'application/json', $key, []), $key],
            'open_message with a key' => [fn () => open_message('e', $key, []), $key],
            'check_basic_auth with a password' => [fn () => check_basic_auth('Basic x', [], $password), $password],
            'decode with a key option' => [fn () => Request::decode([], [], ['key' => $key]), $key],
        ];
    }

    /**
     * PHP's own argument parsing raises these TypeErrors, before the extension runs: only the
     * parameters' #[\SensitiveParameter] keeps the secret out of the trace.
     *
     * @dataProvider wrongTypeCallsWithSecrets
     */
    public function testWrongTypeCallsShowNoSecretInTheirTrace(callable $call, string $secret): void
    {
        ini_set('zend.exception_ignore_args', '0');
        ini_set('zend.exception_string_param_max_len', '1000000');
        try {
            $call();
            $this->fail('no TypeError');
        } catch (\TypeError $e) {
            // The innermost frame is the extension's; the outer ones are PHPUnit's own objects.
            $frame = $e->getTrace()[0];
            $this->assertStringStartsWith('GlpiAgentProtocol', ($frame['class'] ?? '') . $frame['function']);
            $innermost = strtok($e->getTraceAsString(), "\n");
            foreach ([$innermost, $e->getMessage(), var_export($frame['args'] ?? [], true)] as $text) {
                $this->assertStringNotContainsString($secret, $text);
            }
            $this->assertStringContainsString('SensitiveParameterValue', $innermost, 'the argument is recorded, as a SensitiveParameterValue');
        }
    }

    public function testEveryParameterNamedForASecretIsSensitive(): void
    {
        $secretNames = '/^(token|key|kek|password|authorization_header|headers|options|ca_key|private_key)$/';
        $checked = 0;
        $functions = array_filter(get_defined_functions()['internal'], fn (string $f): bool => str_starts_with($f, 'glpiagentprotocol\\'));
        $reflections = array_map(fn (string $f) => new \ReflectionFunction($f), $functions);
        foreach ((new \ReflectionExtension('glpi_agent_protocol'))->getClasses() as $class) {
            // A ProtocolException's token is the spec's error word, not a secret.
            if ($class->getName() !== ProtocolException::class) {
                array_push($reflections, ...$class->getMethods());
            }
        }
        foreach ($reflections as $function) {
            foreach ($function->getParameters() as $p) {
                if (!preg_match($secretNames, $p->getName())) {
                    continue;
                }
                if ($p->getName() === 'options' && $function->getName() !== 'decode') {
                    continue;
                }
                $names = array_map(fn (\ReflectionAttribute $a): string => $a->getName(), $p->getAttributes());
                $this->assertContains('SensitiveParameter', $names, $function->getName() . '($' . $p->getName() . ')');
                $checked++;
            }
        }
        $this->assertGreaterThanOrEqual(12, $checked);
    }

    public function testTheTraceStillLocatesTheCall(): void
    {
        ini_set('zend.exception_ignore_args', '0');
        try {
            $line = __LINE__ + 1;
            Request::decode('{', ['Content-Type' => 'application/json']);
            $this->fail('no exception');
        } catch (ProtocolException $e) {
            $this->assertSame($line, $e->getLine());
            $frame = $e->getTrace()[0];
            $this->assertSame('decode', $frame['function']);
            $this->assertSame(Request::class, $frame['class']);
            $this->assertSame(__FILE__, $frame['file']);
            $this->assertSame($line, $frame['line']);
            $this->assertSame(__FUNCTION__, $e->getTrace()[1]['function'], 'outer frames are untouched');
        }
    }
}
