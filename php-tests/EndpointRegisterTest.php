<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;

use function GlpiAgentProtocol\seal_message;

require_once __DIR__ . '/support/RegisterTestCase.php';

/**
 * REGISTER and the registration gate over HTTP (docs/register.md): the agent side is
 * played here with RegisterAgent and seal_message/open_message, once with an envelope
 * written with PHP's openssl. Tokens and approvals go through tools/admin.php.
 */
final class EndpointRegisterTest extends RegisterTestCase
{
    // Registration, then encrypted exchanges ----------------------------------------------

    public function testRegistrationThenEncryptedContactAndInventoryAreServed(): void
    {
        [, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $this->assertSame(16, strlen((string) $key));
        $agent = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame('pc-1-2026-01-01', $agent['device_id']);
        $this->assertSame(62354, $agent['httpd_port']);
        $this->assertSame('register', $agent['last_action']);

        $answer = $this->send(self::contact(), key: $key);
        $this->assertSame(200, $answer->status, $answer->plain());
        $json = $this->answerJson($answer, self::AGENT_ID, $key);
        $this->assertSame('ok', $json['status']);
        $this->assertArrayHasKey('inventory', $json['tasks']);

        $answer = $this->send(self::inventory(), key: $key);
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame('ok', $this->answerJson($answer, self::AGENT_ID, $key)['status']);
        $inventories = $this->store->inventories();
        $this->assertCount(1, $inventories);
        $this->assertSame(self::AGENT_ID, $inventories[0]['agent_uuid']);
        $this->assertSame(self::inventory(), $this->store->inventoryContent($inventories[0]['id']));
        $this->assertCount(2, $this->store->snapshot()['seen_messages']);
        $this->assertStringContainsString('registered until', $this->adminOk('agent', 'list'));
    }

    /** The envelope of docs/encrypted-exchanges.md written with openssl only. */
    private static function opensslSeal(string $body, string $key, string $agentId): string
    {
        $nonce = random_bytes(12);
        $type = 'application/json';
        $head = "\x01\x01" . pack('J', time()) . $nonce . chr(strlen($type)) . $type;
        $id = hex2bin(str_replace('-', '', $agentId));
        $ct = openssl_encrypt($body, 'aes-128-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $head . $id . $id, 16);
        return $head . $ct . $tag;
    }

    private static function opensslOpen(string $envelope, string $key, string $agentId): string
    {
        self::assertSame("\x01\x02", substr($envelope, 0, 2), 'version 1, server to agent');
        $len = ord($envelope[22]);
        $head = substr($envelope, 0, 23 + $len);
        $id = hex2bin(str_replace('-', '', $agentId));
        $plain = openssl_decrypt(substr($envelope, 23 + $len, -16), 'aes-128-gcm', $key, OPENSSL_RAW_DATA, substr($envelope, 10, 12), substr($envelope, -16), $head . $id . $id);
        self::assertIsString($plain, 'the answer authenticates under the session key');
        return $plain;
    }

    public function testEncryptedExchangesInteroperateWithAnOpensslEnvelope(): void
    {
        [, $token] = $this->createToken();
        $key = (string) $this->registerAgent($token);
        $answer = $this->post(self::encryptedHeaders(), self::opensslSeal(self::contact(), $key, self::AGENT_ID));
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame('ok', json_decode(self::opensslOpen($answer->body, $key, self::AGENT_ID), true)['status']);
        $answer = $this->post(self::encryptedHeaders(), self::opensslSeal(self::inventory(), $key, self::AGENT_ID));
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertCount(1, $this->store->inventories());
    }

    public function testRenewalUnderTheCurrentKeyGivesANewKeyAndTheOldOneStopsWorking(): void
    {
        [, $token] = $this->createToken();
        $old = (string) $this->registerAgent($token);
        $new = (string) $this->registerAgent($token, oldKey: $old);
        $this->assertNotSame($old, $new);
        $this->assertCount(1, $this->store->snapshot()['agent_keys'], 'the new key is the agent\'s only key');

        $before = $this->store->snapshot();
        $this->assertRefused($this->send(self::contact(), key: $old), 400, 'decryption failed', $before);
        $this->assertSame(200, $this->send(self::contact(), key: $new)->status);
    }

    // Refused registrations ---------------------------------------------------------------

    public function testAnAgentWithAnotherTokenFailsTheChallenge(): void
    {
        [, $token] = $this->createToken();
        $challenge = $this->askChallenge();
        try {
            RegisterAgent::answer('0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d', self::AGENT_ID, $challenge);
            $this->fail('a challenge under another token decrypts to another agent id');
        } catch (ProtocolException $e) {
            $this->assertSame('challenge for another agent', $e->getToken());
        }
        $before = $this->store->snapshot();
        $answer = $this->send(self::jsonMessage(['action' => 'register', 'challenge' => 'failure']));
        $this->assertChallengeRefused($answer, $before, 'agent-failure');
        $this->assertSame('1h', $answer->json()['expiration']);

        // An answer made up without the token fails too.
        $this->askChallenge();
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage('0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d')), $before, 'challenge-failed');
        $this->assertSame([], $this->store->snapshot()['agent_keys']);
        $this->assertNotNull($token);
    }

    public function testATamperedAnswerFails(): void
    {
        [, $token] = $this->createToken();
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $tampered = $mine['answer'];
        $tampered[3] = $tampered[3] === '0' ? '1' : '0';
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage($tampered)), $before, 'challenge-failed');
        // A wrong answer uses up no challenge: whoever sent it, the agent's own answer works.
        $this->assertSame('registered', $this->send(self::answerMessage($mine['answer']))->json()['status']);
    }

    public function testAReplayedAnswerFails(): void
    {
        [, $token] = $this->createToken();
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $json = $this->send(self::answerMessage($mine['answer']))->json();
        $this->assertSame('registered', $json['status']);
        $key = RegisterAgent::finish($token, $mine['state'], $json['challenge'], $json['crypto']);
        $before = $this->store->snapshot();
        // In the clear, nothing about a registered agent is taken; sealed, the challenge is used up.
        $this->assertRefusedWith($this->send(self::answerMessage($mine['answer'])), 403, 'encryption required', $before);
        $this->assertRefusedWith($this->send(self::answerMessage($mine['answer']), key: $key), 403, 'challenge failed', $before);
    }

    public function testAnExpiredChallengeFails(): void
    {
        [, $token] = $this->createToken();
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $this->setColumn('register_challenges', 'expires_at', '2020-01-01 00:00:00');
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage($mine['answer'])), $before, 'challenge-failed');

        // The same through the extension's own age check, on a server with a 1 s window.
        $this->useServer('short', ['GAP_CHALLENGE_MAX_AGE' => '1']);
        $answer = $this->send(self::firstMessage());
        $this->assertSame('1s', $answer->json()['expiration']);
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $answer->json()['challenge']);
        sleep(3);
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage($mine['answer'])), $before, 'challenge-failed');
    }

    public function testAnAnswerSentForAnotherAgentFails(): void
    {
        [, $token] = $this->createToken();
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $before = $this->store->snapshot();
        // The other agent has no challenge: nothing to verify, nothing changes.
        $this->assertRefusedWith($this->send(self::answerMessage($mine['answer']), self::OTHER_ID), 403, 'challenge failed', $before);

        $this->askChallenge(self::OTHER_ID);
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage($mine['answer']), self::OTHER_ID), $before, 'challenge-failed', agentId: self::OTHER_ID);
        $this->assertSame([self::AGENT_ID, self::OTHER_ID], array_column($this->store->snapshot()['register_challenges'], 'agent_uuid'), 'no challenge is used up');

        // The agent's own challenge still works.
        $answer = $this->send(self::answerMessage($mine['answer']));
        $this->assertSame('registered', $answer->json()['status']);
    }

    public function testARevokedTokenEndsItsRegistrationsAndChallenges(): void
    {
        [$id, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $mine = RegisterAgent::answer($token, self::OTHER_ID, $this->askChallenge(self::OTHER_ID));
        $this->assertStringContainsString("token $id revoked", $this->adminOk('token', 'revoke', (string) $id));

        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'unknown cryptokey', $before);
        $this->assertRefusedWith($this->send(self::answerMessage($mine['answer']), self::OTHER_ID), 403, 'challenge failed', $before);
        $this->assertRefusedWith($this->send(self::firstMessage()), 403, 'no token', $before);
    }

    public function testTagsChooseTheToken(): void
    {
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::firstMessage('lyon')), 403, 'no token', $before);

        [, $paris] = $this->createToken('paris');
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::firstMessage('lyon')), 403, 'tag mismatch', $before);
        $this->assertRefusedWith($this->send(self::firstMessage()), 403, 'tag mismatch', $before);

        $this->assertSame(16, strlen((string) $this->registerAgent($paris, tag: 'paris')));
        $this->assertSame('paris', $this->store->agentByUuid(self::AGENT_ID)['tag']);
    }

    public function testManualValidationThenApproval(): void
    {
        $this->useServer('manual', ['GAP_REGISTER' => 'token+manual']);
        [, $token] = $this->createToken();
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $answer = $this->send(self::answerMessage($mine['answer']));
        $this->assertSame(200, $answer->status);
        $this->assertSame(['status' => 'pending', 'needs' => 'manual-validation', 'expiration' => '1h'], $answer->json());
        $this->assertSame([], $this->store->snapshot()['agent_keys'], 'no key before approval');
        $this->assertStringContainsString('awaiting approval', $this->adminOk('agent', 'list'));

        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);

        $this->adminOk('agent', 'approve', self::AGENT_ID);
        $key = $this->registerAgent($token);
        $this->assertSame(200, $this->send(self::contact(), key: $key)->status);
        $events = array_column($this->store->snapshot()['register_events'], 'event');
        $this->assertSame(['token-created', 'awaiting-approval', 'agent-approved', 'registered'], $events);
    }

    public function testARejectedAgentIsRefused(): void
    {
        [, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $this->adminOk('agent', 'reject', self::AGENT_ID);
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'unknown cryptokey', $before);
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);
        $this->assertRefusedWith($this->send(self::firstMessage()), 403, 'forbidden', $before);
        $this->assertStringContainsString('rejected', $this->adminOk('agent', 'list'));
    }

    // Keys --------------------------------------------------------------------------------

    public function testAnExpiredKeyIsRefused(): void
    {
        [, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $this->setColumn('agent_keys', 'expires_at', '2020-01-01 00:00:00');
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'key expired', $before);
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);
    }

    public function testForcedReRegistration(): void
    {
        [, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $this->adminOk('agent', 'force-register', self::AGENT_ID);
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'key expired', $before);
        $this->assertStringContainsString('re-registration required', $this->adminOk('agent', 'list'));
        $new = $this->registerAgent($token);
        $this->assertSame(200, $this->send(self::contact(), key: $new)->status);
    }

    public function testARevokedKeyIsUnknown(): void
    {
        [, $token] = $this->createToken();
        $key = $this->registerAgent($token);
        $this->adminOk('agent', 'revoke-key', self::AGENT_ID);
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'unknown cryptokey', $before);
        [$code, , $err] = self::admin('agent', 'revoke-key', self::AGENT_ID);
        $this->assertSame(1, $code);
        $this->assertStringContainsString('no active key', $err);
    }

    public function testAWrongOrMissingCryptoKeyIdIsRefused(): void
    {
        [, $token] = $this->createToken();
        $key = (string) $this->registerAgent($token);
        $sealed = seal_message(self::contact(), 'application/json', $key, self::AGENT_ID);
        $before = $this->store->snapshot();
        $this->assertRefused($this->post(self::encryptedHeaders(keyId: self::OTHER_ID), $sealed), 403, 'unknown cryptokey', $before);
        $this->assertRefused($this->post(self::encryptedHeaders(keyId: 'not-a-uuid'), $sealed), 400, 'bad cryptokey id', $before);
        $headers = self::encryptedHeaders();
        unset($headers['GLPI-CryptoKey-ID']);
        $this->assertRefused($this->post($headers, $sealed), 400, 'bad cryptokey id', $before);
        // The sealed message was never accepted: it still goes through once.
        $this->assertSame(200, $this->post(self::encryptedHeaders(), $sealed)->status);
    }

    public function testAPlainRequestIsRefusedWhenEncryptionIsRequired(): void
    {
        [, $token] = $this->createToken();
        $this->registerAgent($token);
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact()), 403, 'encryption required', $before);
        $this->assertRefusedWith($this->send(self::inventory()), 403, 'encryption required', $before);
    }

    public function testTamperedAndReplayedEncryptedMessagesAreRefused(): void
    {
        [, $token] = $this->createToken();
        $key = (string) $this->registerAgent($token);
        $sealed = seal_message(self::inventory(), 'application/json', $key, self::AGENT_ID);
        $tampered = $sealed;
        $tampered[40] = chr(ord($tampered[40]) ^ 1);
        $before = $this->store->snapshot();
        $this->assertRefused($this->post(self::encryptedHeaders(), $tampered), 400, 'decryption failed', $before);

        $this->assertSame(200, $this->post(self::encryptedHeaders(), $sealed)->status);
        $before = $this->store->snapshot();
        $this->assertRefused($this->post(self::encryptedHeaders(), $sealed), 400, 'replayed message', $before);
        $this->assertCount(1, $this->store->inventories());
    }

    public function testUnregisteredAgentsAreRefused(): void
    {
        $this->createToken();
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);
        $this->assertRefusedWith($this->send(self::inventory(), self::OTHER_ID), 403, 'registration required', $before);
        // Legacy agents cannot register.
        $this->assertRefused($this->post(self::legacyHeaders(), self::wire('fusioninventory-agent-01-prolog.zlib')), 403, 'registration required', $before);
        $get = self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => 'ABCDEF12']);
        $this->assertSame(403, $get->status);
        $this->assertSame('registration required', $get->token());
        // A sealed body from an agent that never registered names no key.
        $sealed = seal_message(self::contact(), 'application/json', random_bytes(16), self::AGENT_ID);
        $this->assertRefused($this->post(self::encryptedHeaders(), $sealed), 403, 'unknown cryptokey', $before);
        $this->assertRefused($this->send('{"action":"register","deviceid":"x"}'), 400, 'bad-format', $before);
    }

    public function testWithoutEncryptionRegisteredAgentsStayPlain(): void
    {
        $this->useServer('plain', ['GAP_REQUIRE_ENCRYPTION' => '0']);
        [, $token] = $this->createToken();
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);

        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $json = $this->send(self::answerMessage($mine['answer']))->json();
        $this->assertSame('registered', $json['status']);
        $this->assertArrayNotHasKey('crypto', $json, 'no key is sent when encryption is off');
        $this->assertNull(RegisterAgent::finish($token, $mine['state'], $json['challenge'], null));

        $answer = $this->send(self::contact());
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame(200, $this->send(self::inventory())->status);
        $this->assertCount(1, $this->store->inventories());

        $this->setColumn('agent_keys', 'expires_at', '2020-01-01 00:00:00');
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact()), 403, 'registration required', $before);
    }

    // Secrets -----------------------------------------------------------------------------

    public function testTokensAndKeysAreNeverPrintedNorStoredInClear(): void
    {
        [$id, $token] = $this->createToken('paris');
        $key = (string) $this->registerAgent($token, tag: 'paris');
        $this->assertSame(200, $this->send(self::contact(), key: $key)->status);
        $this->adminOk('agent', 'force-register', self::AGENT_ID);

        $forms = [$token, strtoupper($token), str_replace('-', '', $token), bin2hex($key), strtoupper(bin2hex($key))];
        $raw = [hex2bin(str_replace('-', '', $token)), $key];
        $outputs = [];
        foreach ([['token', 'list'], ['agent', 'list'], ['audit', '--limit', '100'], ['cleanup'], ['token', 'revoke', (string) $id]] as $args) {
            $outputs[] = $this->adminOk(...$args);
        }
        $outputs[] = self::$server->log();
        $dump = json_encode($this->store->snapshot(), JSON_INVALID_UTF8_SUBSTITUTE) . implode("\n", $outputs);
        foreach ($forms as $form) {
            $this->assertStringNotContainsStringIgnoringCase($form, $dump);
        }
        if (str_starts_with(self::$settings['dsn'], 'sqlite:')) {
            $file = substr(self::$settings['dsn'], 7);
            $bytes = (string) file_get_contents($file) . (is_file("$file-wal") ? (string) file_get_contents("$file-wal") : '');
            foreach ([...$forms, ...$raw] as $form) {
                $this->assertStringNotContainsString($form, $bytes, 'no token or key in the database file');
            }
        }
        $this->assertSame(0600, fileperms(self::registerEnv()['GAP_KEK_FILE']) & 0777);
        $this->assertSame(16, filesize(self::registerEnv()['GAP_KEK_FILE']));
    }

    public function testAnUnusableKekFileIsABusyServerThatNamesNoSecret(): void
    {
        $bad = self::$dir . '/short-kek.bin';
        file_put_contents($bad, 'short');
        chmod($bad, 0600);
        $this->useServer('bad-kek', ['GAP_KEK_FILE' => $bad]);
        [, $token] = $this->createToken();
        $answer = $this->send(self::firstMessage());
        $this->assertSame(503, $answer->status);
        $this->assertSame('busy server', $answer->token());
        $this->assertStringContainsString('must hold exactly 16 bytes', self::$others['bad-kek']->log());
        $this->assertStringNotContainsString($token, self::$others['bad-kek']->log());
    }
}
