<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;
use GlpiAgentProtocol\RegisterServer;
use PHPUnit\Framework\TestCase;

use function GlpiAgentProtocol\generate_token;
use function GlpiAgentProtocol\register_message;
use function GlpiAgentProtocol\unwrap_key;
use function GlpiAgentProtocol\wrap_key;

/**
 * REGISTER (spec 6.2) checked step by step against an independent implementation written
 * here from the spec alone with PHP's openssl (aes-128-ecb, one raw block), in both
 * directions: the extension as server with openssl as agent, and the reverse.
 */
final class RegisterTest extends TestCase
{
    private const AGENT = '3a609a2e-947f-4e6a-9af9-32c024ac3944';

    private static function raw(string $uuid): string
    {
        return hex2bin(str_replace('-', '', $uuid));
    }

    private static function uuid(string $raw): string
    {
        $h = bin2hex($raw);
        return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-' . substr($h, 16, 4) . '-' . substr($h, 20);
    }

    private static function encrypt(string $token, string $block): string
    {
        return openssl_encrypt($block, 'aes-128-ecb', self::raw($token), OPENSSL_RAW_DATA | OPENSSL_ZERO_PADDING);
    }

    private static function decrypt(string $token, string $block): string
    {
        return openssl_decrypt($block, 'aes-128-ecb', self::raw($token), OPENSSL_RAW_DATA | OPENSSL_ZERO_PADDING);
    }

    public function testTokensAre128RandomBitsWrittenAsUuids(): void
    {
        $seen = [];
        for ($i = 0; $i < 200; $i++) {
            $t = generate_token();
            $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/', $t);
            $seen[$t] = true;
        }
        $this->assertCount(200, $seen);
    }

    public function testExtensionServerWithOpensslAgent(): void
    {
        $token = generate_token();
        $c = RegisterServer::challenge($token, self::AGENT);

        // Agent, from the spec: decrypt, check the last 8 bytes are ours, answer.
        $secret = self::decrypt($token, self::raw($c['challenge']));
        $this->assertSame(substr(self::raw(self::AGENT), 8), substr($secret, 8), 'challenge targets our agent id');
        $serverSecret = substr($secret, 0, 8);
        $agentSecret = random_bytes(8);
        $answer = self::uuid(self::encrypt($token, $serverSecret . $agentSecret));

        $v = RegisterServer::verify($token, $c['state'], $answer);
        $final = self::decrypt($token, self::raw($v['challenge']));
        $this->assertSame($agentSecret . $serverSecret, $final, 'final challenge is agent secret then server secret');
        $this->assertSame($v['key'], self::decrypt($token, self::raw($v['crypto'])), 'crypto is the key under the token');
        $this->assertSame(16, strlen($v['key']));
        $this->assertSame(self::AGENT, $v['agent_id']);
    }

    public function testOpensslServerWithExtensionAgent(): void
    {
        $token = generate_token();
        $serverSecret = random_bytes(8);
        $challenge = self::uuid(self::encrypt($token, $serverSecret . substr(self::raw(self::AGENT), 8)));

        $a = RegisterAgent::answer($token, self::AGENT, $challenge);
        $plain = self::decrypt($token, self::raw($a['answer']));
        $this->assertSame($serverSecret, substr($plain, 0, 8));
        $agentSecret = substr($plain, 8);

        $key = random_bytes(16);
        $final = self::uuid(self::encrypt($token, $agentSecret . $serverSecret));
        $crypto = self::uuid(self::encrypt($token, $key));
        $this->assertSame($key, RegisterAgent::finish($token, $a['state'], $final, $crypto));
        $this->assertNull(RegisterAgent::finish($token, $a['state'], $final, null));

        $swapped = self::uuid(self::encrypt($token, $serverSecret . $agentSecret));
        $this->assertChallengeFailed(fn () => RegisterAgent::finish($token, $a['state'], $swapped, $crypto));
    }

    public function testChallengeCanTargetAProxyChainMember(): void
    {
        $token = generate_token();
        $behindProxy = 'c0ffee00-1111-4222-8333-444455556666';
        $c = RegisterServer::challenge($token, $behindProxy);
        try {
            RegisterAgent::answer($token, self::AGENT, $c['challenge']);
            $this->fail('a challenge for another agent must not be answered');
        } catch (ProtocolException $e) {
            $this->assertSame('challenge for another agent', $e->getToken());
        }
        $a = RegisterAgent::answer($token, $behindProxy, $c['challenge']);
        $this->assertSame($behindProxy, RegisterServer::verify($token, $c['state'], $a['answer'])['agent_id']);
    }

    public function testWrongTokenTamperedAndReflectedAnswersFail(): void
    {
        $token = generate_token();
        $c = RegisterServer::challenge($token, self::AGENT);
        $a = RegisterAgent::answer($token, self::AGENT, $c['challenge']);

        $this->assertChallengeFailed(fn () => RegisterServer::verify(generate_token(), $c['state'], $a['answer']));
        $tampered = $a['answer'];
        $tampered[0] = $tampered[0] === 'a' ? 'b' : 'a';
        $this->assertChallengeFailed(fn () => RegisterServer::verify($token, $c['state'], $tampered));
        $this->assertChallengeFailed(fn () => RegisterServer::verify($token, $c['state'], $c['challenge']));
        $state = $c['state'];
        $state[10] = $state[10] === 'A' ? 'B' : 'A';
        $this->assertChallengeFailed(fn () => RegisterServer::verify($token, $state, $a['answer']));
        $other = RegisterServer::challenge($token, self::AGENT);
        $this->assertChallengeFailed(fn () => RegisterServer::verify($token, $other['state'], $a['answer']));
    }

    public function testAnExpiredStateFails(): void
    {
        $token = generate_token();
        $c = RegisterServer::challenge($token, self::AGENT);
        $a = RegisterAgent::answer($token, self::AGENT, $c['challenge']);
        // A state made in the past: the clock cannot be moved, so age it by waiting past a
        // one-second limit.
        sleep(2);
        $this->assertChallengeFailed(fn () => RegisterServer::verify($token, $c['state'], $a['answer'], 1));
        $this->assertSame(16, strlen(RegisterServer::verify($token, $c['state'], $a['answer'], 60)['key']));
    }

    public function testSecretsStayOutOfMessagesAndTraces(): void
    {
        $token = generate_token();
        $c = RegisterServer::challenge($token, self::AGENT);
        $old = ini_set('zend.exception_ignore_args', '0');
        try {
            RegisterServer::verify($token, $c['state'], $c['challenge']);
            $this->fail('a reflected challenge must fail');
        } catch (ProtocolException $e) {
            $this->assertStringNotContainsString($token, $e->getMessage());
            $this->assertStringNotContainsString($token, $e->getTraceAsString());
            $this->assertStringNotContainsString($token, serialize($e->getTrace()));
        } finally {
            ini_set('zend.exception_ignore_args', (string) $old);
        }
    }

    public function testRegisterMessagesAreCheckedAsTheSpecListsTheirFields(): void
    {
        $first = json_decode('{"action":"register","deviceid":"pc-2026-12-01","port":62354,"name":"GLPI-Agent","version":"1.7","tag":"paris"}');
        self::assertSame(
            ['type' => 'register', 'deviceid' => 'pc-2026-12-01', 'port' => 62354, 'name' => 'GLPI-Agent', 'version' => '1.7', 'tag' => 'paris'],
            register_message($first)
        );
        // The same as an array, with a quoted port and no tag; an empty tag is no tag.
        $array = ['action' => 'REGISTER', 'deviceid' => 'd', 'port' => '0', 'name' => 'n', 'version' => '1', 'tag' => ''];
        self::assertSame(['type' => 'register', 'deviceid' => 'd', 'port' => 0, 'name' => 'n', 'version' => '1', 'tag' => null], register_message($array));
        self::assertSame(
            ['type' => 'answer', 'answer' => '27533acf-417d-83f3-3a2e-b2c0c2f9639a'],
            register_message(['action' => 'register', 'challenge' => '27533ACF-417D-83F3-3A2E-B2C0C2F9639A'])
        );
        self::assertSame(['type' => 'failure', 'reason' => 'failure'], register_message(['action' => 'register', 'challenge' => 'failure']));

        $bad = [
            'no action' => ['deviceid' => 'd', 'port' => 1, 'name' => 'n', 'version' => '1'],
            'other action' => ['action' => 'contact', 'deviceid' => 'd', 'port' => 1, 'name' => 'n', 'version' => '1'],
            'no deviceid' => ['action' => 'register', 'port' => 1, 'name' => 'n', 'version' => '1'],
            'empty name' => ['action' => 'register', 'deviceid' => 'd', 'port' => 1, 'name' => '', 'version' => '1'],
            'port too large' => ['action' => 'register', 'deviceid' => 'd', 'port' => 65536, 'name' => 'n', 'version' => '1'],
            'signed port' => ['action' => 'register', 'deviceid' => 'd', 'port' => '+80', 'name' => 'n', 'version' => '1'],
            'version as list' => ['action' => 'register', 'deviceid' => 'd', 'port' => 1, 'name' => 'n', 'version' => ['1']],
            'empty challenge' => ['action' => 'register', 'challenge' => ''],
            'challenge as number' => ['action' => 'register', 'challenge' => 12],
            'not UTF-8' => ['action' => 'register', 'deviceid' => "\xff", 'port' => 1, 'name' => 'n', 'version' => '1'],
            'a string' => 'register',
        ];
        foreach ($bad as $why => $message) {
            try {
                register_message($message);
                self::fail("$why: accepted");
            } catch (ProtocolException $e) {
                self::assertSame('bad-format', $e->getToken(), $why);
                self::assertSame(400, $e->getCode(), $why);
            }
        }
    }

    public function testMalformedTokenIsCallerMisuse(): void
    {
        $this->expectException(\ValueError::class);
        RegisterServer::challenge('not-a-token', self::AGENT);
    }

    /** RFC 3394 section 4.1: 128-bit KEK wrapping 128 bits of key data. */
    public function testKeyWrapRfc3394Vector(): void
    {
        $kek = hex2bin('000102030405060708090A0B0C0D0E0F');
        $key = hex2bin('00112233445566778899AABBCCDDEEFF');
        $wrapped = wrap_key($key, $kek);
        $this->assertSame('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5', bin2hex($wrapped));
        $this->assertSame($key, unwrap_key($wrapped, $kek));
        $wrapped[3] = chr(ord($wrapped[3]) ^ 1);
        try {
            unwrap_key($wrapped, $kek);
            $this->fail('altered wrapped key must not unwrap');
        } catch (ProtocolException $e) {
            $this->assertSame('decryption failed', $e->getToken());
        }
    }

    public function testKeyWrapAgreesWithOpenssl(): void
    {
        if (!in_array('id-aes128-wrap', openssl_get_cipher_methods(true), true)) {
            $this->markTestSkipped('this openssl has no id-aes128-wrap');
        }
        $kek = random_bytes(16);
        $key = random_bytes(16);
        $theirs = openssl_encrypt($key, 'id-aes128-wrap', $kek, OPENSSL_RAW_DATA, hex2bin('A6A6A6A6A6A6A6A6'));
        $this->assertSame($theirs, wrap_key($key, $kek));
        $this->assertSame($key, unwrap_key($theirs, $kek));
    }

    private function assertChallengeFailed(callable $fn): void
    {
        try {
            $fn();
            $this->fail('expected challenge failed');
        } catch (ProtocolException $e) {
            $this->assertSame('challenge failed', $e->getToken());
            $this->assertSame(403, $e->getCode());
        }
    }
}
