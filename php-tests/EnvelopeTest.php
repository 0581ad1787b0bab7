<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;
use PHPUnit\Framework\TestCase;

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
