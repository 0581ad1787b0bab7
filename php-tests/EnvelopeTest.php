<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\open_message;
use function GlpiAgentProtocol\seal_message;

/**
 * Encrypted exchanges (docs/encrypted-exchanges.md) against a second implementation of
 * that document written here with PHP's openssl aes-128-gcm.
 */
final class EnvelopeTest extends TestCase
{
    private const AGENT = '3a609a2e-947f-4e6a-9af9-32c024ac3944';

    private static function id(string $uuid): string
    {
        return hex2bin(str_replace('-', '', $uuid));
    }

    private static function seal(string $key, int $direction, string $type, string $plain, int $time, string $agent, string $keyId): string
    {
        $nonce = random_bytes(12);
        $header = "\x01" . chr($direction) . pack('J', $time) . $nonce . chr(strlen($type)) . $type;
        $aad = $header . self::id($agent) . self::id($keyId);
        $cipher = openssl_encrypt($plain, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $aad, 16);
        return $header . $cipher . $tag;
    }

    /** @return array{0: string, 1: string} inner content type and plaintext */
    private static function open(string $key, string $body, string $agent, string $keyId): array
    {
        $len = ord($body[22]);
        $header = substr($body, 0, 23 + $len);
        $type = substr($header, 23);
        $nonce = substr($body, 10, 12);
        $cipher = substr($body, 23 + $len, -16);
        $tag = substr($body, -16);
        $aad = $header . self::id($agent) . self::id($keyId);
        $plain = openssl_decrypt($cipher, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $aad);
        if ($plain === false || $body[1] !== "\x02") {
            throw new \RuntimeException('the answer does not authenticate as server to agent');
        }
        return [$type, $plain];
    }

    private static function headers(): array
    {
        return [
            'Content-Type' => 'application/x-glpi-encrypted',
            'GLPI-Agent-ID' => self::AGENT,
            'GLPI-CryptoKey-ID' => self::AGENT,
        ];
    }

    public function testOpensslSealedRequestDecodesAndItsAnswerOpensWithOpenssl(): void
    {
        $key = random_bytes(16);
        $message = '{"action":"inventory","deviceid":"pc-1","content":{"hardware":{"name":"pc"}}}';
        $body = self::seal($key, 1, 'application/x-compress-zlib', gzcompress($message), time(), self::AGENT, self::AGENT);

        $request = Request::decode($body, self::headers(), ['key' => $key]);
        $this->assertTrue($request->isEncrypted());
        $this->assertSame('zlib', $request->compression());
        $this->assertSame('inventory', $request->action());
        $this->assertEquals(json_decode($message), $request->content());
        $this->assertMatchesRegularExpression('/^[0-9a-f]{24}$/', $request->messageId());
        $this->assertSame(bin2hex(substr($body, 10, 12)), $request->messageId());

        $response = Response::forRequest($request, ['status' => 'ok', 'expiration' => 24]);
        $headers = $response->headers();
        $this->assertSame('application/x-glpi-encrypted', $headers['Content-Type']);
        $this->assertSame(self::AGENT, $headers['GLPI-CryptoKey-ID']);
        [$type, $plain] = self::open($key, $response->body(), self::AGENT, self::AGENT);
        $this->assertSame('application/x-compress-zlib', $type);
        $this->assertSame('{"status":"ok","expiration":24}', gzuncompress($plain));
    }

    public function testWrongKeyTamperingStaleAndMissingKeyAreRefused(): void
    {
        $key = random_bytes(16);
        $body = self::seal($key, 1, 'application/json', '{"action":"contact"}', time(), self::AGENT, self::AGENT);
        $this->assertRefused('decryption failed', 400, fn () => Request::decode($body, self::headers(), ['key' => random_bytes(16)]));
        $tampered = $body;
        $tampered[30] = chr(ord($tampered[30]) ^ 0x01);
        $this->assertRefused('decryption failed', 400, fn () => Request::decode($tampered, self::headers(), ['key' => $key]));
        $this->assertRefused('unknown cryptokey', 403, fn () => Request::decode($body, self::headers()));
        $old = self::seal($key, 1, 'application/json', '{"action":"contact"}', time() - 3600, self::AGENT, self::AGENT);
        $this->assertRefused('stale message', 400, fn () => Request::decode($old, self::headers(), ['key' => $key]));
        $reflected = self::seal($key, 2, 'application/json', '{"action":"contact"}', time(), self::AGENT, self::AGENT);
        $this->assertRefused('decryption failed', 400, fn () => Request::decode($reflected, self::headers(), ['key' => $key]));
        $otherAgent = self::headers();
        $otherAgent['GLPI-Agent-ID'] = 'c0ffee00-1111-4222-8333-444455556666';
        $this->assertRefused('decryption failed', 400, fn () => Request::decode($body, $otherAgent, ['key' => $key]));
    }

    public function testErrorAnswersToEncryptedRequestsGoOutInTheClear(): void
    {
        $key = random_bytes(16);
        $body = self::seal($key, 1, 'application/json', '{"action":"contact"}', time(), self::AGENT, self::AGENT);
        $request = Request::decode($body, self::headers(), ['key' => $key]);
        $response = Response::forError(new ProtocolException('forbidden', 403), $request);
        $this->assertArrayNotHasKey('GLPI-CryptoKey-ID', $response->headers());
        $this->assertSame('application/json', $response->headers()['Content-Type']);
        $this->assertSame(['status' => 'error', 'message' => 'forbidden'], json_decode($response->body(), true));
    }

    public function testSealMessageOpensWithOpensslAndBindsEverything(): void
    {
        $key = random_bytes(16);
        $proxy = '0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d';
        $plain = gzcompress('{"action":"contact"}');
        $before = time();
        $sealed = seal_message($plain, 'application/x-compress-zlib', $key, self::AGENT, $proxy);
        self::assertSame("\x01\x01", substr($sealed, 0, 2));
        $stamp = unpack('J', substr($sealed, 2, 8))[1];
        self::assertGreaterThanOrEqual($before, $stamp);
        self::assertLessThanOrEqual(time(), $stamp);
        $len = ord($sealed[22]);
        $nonce = substr($sealed, 10, 12);
        $header = substr($sealed, 0, 23 + $len);
        $opened = openssl_decrypt(substr($sealed, 23 + $len, -16), 'aes-128-gcm', $key, OPENSSL_RAW_DATA,
            $nonce, substr($sealed, -16), $header . self::id(self::AGENT) . self::id($proxy));
        self::assertSame($plain, $opened);
        self::assertSame('application/x-compress-zlib', substr($header, 23));
        // Another nonce every time, even for the same message.
        self::assertNotSame($nonce, substr(seal_message($plain, 'application/x-compress-zlib', $key, self::AGENT, $proxy), 10, 12));
        // Bound to the key owner: without the proxy id the tag fails.
        self::assertFalse(@openssl_decrypt(substr($sealed, 23 + $len, -16), 'aes-128-gcm', $key, OPENSSL_RAW_DATA,
            $nonce, substr($sealed, -16), $header . self::id(self::AGENT) . self::id(self::AGENT)));
    }

    public function testOpenMessageReadsOpensslSealedAnswersAndRefusesTheRest(): void
    {
        $key = random_bytes(16);
        $sealed = self::seal($key, 2, 'application/json', '{"status":"ok"}', time(), self::AGENT, self::AGENT);
        $opened = open_message($sealed, $key, self::AGENT);
        self::assertSame('application/json', $opened['content_type']);
        self::assertSame('{"status":"ok"}', $opened['body']);
        self::assertSame(bin2hex(substr($sealed, 10, 12)), $opened['message_id']);
        self::assertSame($opened['timestamp'] + 300, $opened['keep_until']);
        self::assertSame($opened['timestamp'] + 60, open_message($sealed, $key, self::AGENT, null, 'server-to-agent', 60)['keep_until']);

        $this->assertRefused('decryption failed', 400, fn () => open_message($sealed, random_bytes(16), self::AGENT));
        $this->assertRefused('decryption failed', 400, fn () => open_message($sealed, $key, self::AGENT, null, 'agent-to-server'));
        $this->assertRefused('decryption failed', 400, fn () => open_message($sealed, $key, '0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d'));
        $flipped = $sealed;
        $flipped[30] = chr(ord($flipped[30]) ^ 1);
        $this->assertRefused('decryption failed', 400, fn () => open_message($flipped, $key, self::AGENT));
        $old = self::seal($key, 2, 'application/json', '{}', time() - 400, self::AGENT, self::AGENT);
        $this->assertRefused('stale message', 400, fn () => open_message($old, $key, self::AGENT));
        self::assertSame('{}', open_message($old, $key, self::AGENT, null, 'server-to-agent', 600)['body']);
    }

    public function testSealAndOpenRefuseCallerMistakesAsValueErrors(): void
    {
        $key = random_bytes(16);
        foreach ([
            fn () => seal_message('x', 'application/json', 'short', self::AGENT),
            fn () => seal_message('x', '', $key, self::AGENT),
            fn () => seal_message('x', "application/json\n", $key, self::AGENT),
            fn () => seal_message('x', 'application/json', $key, 'not-a-uuid'),
            fn () => seal_message('x', 'application/json', $key, self::AGENT, null, 'sideways'),
            fn () => open_message(str_repeat("\0", 40), $key, self::AGENT, null, 'server-to-agent', -1),
        ] as $i => $call) {
            try {
                $call();
                self::fail("call $i was accepted");
            } catch (\ValueError $e) {
                self::assertStringNotContainsString(bin2hex($key), $e->getMessage());
            }
        }
    }

    private function assertRefused(string $token, int $status, callable $fn): void
    {
        try {
            $fn();
            $this->fail("expected $token");
        } catch (ProtocolException $e) {
            $this->assertSame($token, $e->getToken());
            $this->assertSame($status, $e->getCode());
        }
    }
}
