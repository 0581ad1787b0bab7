<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterAgent;

require_once __DIR__ . '/support/RegisterTestCase.php';

/**
 * An agent's identity cannot be taken over (docs/register.md, "Binding"): it is bound to
 * the token it registered with, a registered agent registers again only under its key,
 * and nothing about an agent is written before its token is proven.
 */
final class EndpointIdentityTest extends RegisterTestCase
{
    private const ATTACKER_FIELDS = ['deviceid' => 'evil-2026-01-01', 'name' => 'Evil', 'version' => '6.66', 'port' => 1];

    /** The attacker holds a token of its own, for another tag. */
    private function twoTokens(): array
    {
        [$victimTokenId, $victimToken] = $this->createToken('paris');
        [$attackerTokenId, $attackerToken] = $this->createToken('lyon');
        return [$victimTokenId, $victimToken, $attackerTokenId, $attackerToken];
    }

    /** A challenge, and whether the holder of $token can answer it for $agentId. */
    private static function answerableWith(string $token, string $challenge, string $agentId = self::AGENT_ID): bool
    {
        try {
            RegisterAgent::answer($token, $agentId, $challenge);
            return true;
        } catch (ProtocolException $e) {
            self::assertSame('challenge for another agent', $e->getToken());
            return false;
        }
    }

    public function testAHolderOfAnotherTokenCannotReRegisterARegisteredAgent(): void
    {
        [$victimTokenId, $victimToken, , $attackerToken] = $this->twoTokens();
        $key = (string) $this->registerAgent($victimToken, tag: 'paris');
        $this->assertSame($victimTokenId, (int) $this->store->agentByUuid(self::AGENT_ID)['token_id'], 'the agent is bound to its token');

        $before = $this->store->snapshot();
        // A plain REGISTER for an agent with an active key, first message or answer: refused, nothing written.
        $this->assertRefusedWith($this->send(self::firstMessage('lyon', self::ATTACKER_FIELDS)), 403, 'encryption required', $before);
        $this->assertRefusedWith($this->send(self::answerMessage('0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d')), 403, 'encryption required', $before);
        $this->assertNotNull($attackerToken);

        // The agent's own sealed requests still go through, stored as its own.
        $answer = $this->send(self::inventory(), key: $key);
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame(self::AGENT_ID, $this->store->inventories()[0]['agent_uuid']);
    }

    public function testAfterExpiryOrForcedReRegistrationTheChallengeUsesTheBoundToken(): void
    {
        [$victimTokenId, $victimToken, , $attackerToken] = $this->twoTokens();
        $this->registerAgent($victimToken, tag: 'paris');

        foreach (['force-register' => fn () => $this->adminOk('agent', 'force-register', self::AGENT_ID),
            'expiry' => fn () => $this->setColumn('agent_keys', 'expires_at', '2020-01-01 00:00:00')] as $case => $expire) {
            $expire();
            $agentRow = $this->store->agentByUuid(self::AGENT_ID);
            $keys = $this->store->snapshot()['agent_keys'];
            // The attacker names its own tag: the challenge is still under the agent's token.
            $answer = $this->send(self::firstMessage('lyon', self::ATTACKER_FIELDS));
            $this->assertSame(200, $answer->status, "$case: " . $answer->plain());
            $challenge = $answer->json()['challenge'];
            $this->assertFalse(self::answerableWith($attackerToken, $challenge), "$case: the attacker's token cannot answer");
            $this->assertTrue(self::answerableWith($victimToken, $challenge), "$case: the challenge is under the bound token");
            $this->assertSame([$victimTokenId], array_map('intval', array_column($this->store->snapshot()['register_challenges'], 'token_id')));

            // Whatever the attacker answers fails, and the agent's row and key stay as they were.
            $before = $this->store->snapshot();
            $this->assertChallengeRefused($this->send(self::answerMessage('0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d')), $before, 'challenge-failed');
            $this->assertSame($agentRow, $this->store->agentByUuid(self::AGENT_ID), "$case: the agent row is untouched");
            $this->assertSame($keys, $this->store->snapshot()['agent_keys'], "$case: the key is untouched");

            // The agent itself registers again, with its own fields.
            $this->registerAgent($victimToken, tag: 'paris');
            $this->assertSame('pc-1-2026-01-01', $this->store->agentByUuid(self::AGENT_ID)['device_id']);
            $this->assertSame($victimTokenId, (int) $this->store->agentByUuid(self::AGENT_ID)['token_id']);
        }
    }

    public function testARevokedBoundTokenLeavesTheAgentToTheOperator(): void
    {
        [$victimTokenId, $victimToken, , $attackerToken] = $this->twoTokens();
        $this->registerAgent($victimToken, tag: 'paris');
        $this->adminOk('token', 'revoke', (string) $victimTokenId);
        $before = $this->store->snapshot();
        // Another active token exists, but the agent is bound to the revoked one.
        $this->assertRefusedWith($this->send(self::firstMessage('lyon')), 403, 'no token', $before);
        $this->assertNotNull($attackerToken);
    }

    public function testMovingAnAgentToAnotherTokenIsAnOperatorAction(): void
    {
        [, $parisToken, $lyonTokenId, $lyonToken] = $this->twoTokens();
        $key = (string) $this->registerAgent($parisToken, tag: 'paris');

        [$code, , $err] = self::admin('agent', 'move', self::AGENT_ID, '--token', '999');
        $this->assertSame(1, $code);
        $this->assertStringContainsString('no active token 999', $err);
        [$code, , $err] = self::admin('agent', 'move', self::OTHER_ID, '--tag', 'lyon');
        $this->assertSame(1, $code);
        $this->assertStringContainsString('no agent', $err);

        $out = $this->adminOk('agent', 'move', self::AGENT_ID, '--tag', 'lyon');
        $this->assertStringContainsString("moved to token $lyonTokenId", $out);
        $this->assertSame('agent-moved', end($this->store->snapshot()['register_events'])['event']);
        $this->assertSame($lyonTokenId, (int) $this->store->agentByUuid(self::AGENT_ID)['token_id']);
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::contact(), key: $key), 403, 'key expired', $before);

        // The next registration is challenged under the new token, whatever the tag says.
        $challenge = $this->askChallenge(tag: 'paris');
        $this->assertFalse(self::answerableWith($parisToken, $challenge));
        $this->assertTrue(self::answerableWith($lyonToken, $challenge));
        $new = (string) $this->registerAgent($lyonToken, tag: 'paris');
        $this->assertSame(200, $this->send(self::contact(), key: $new)->status);
        $this->assertSame($lyonTokenId, (int) $this->store->agentByUuid(self::AGENT_ID)['token_id']);
    }

    public function testWithoutEncryptionAPlainRenewalIsChallengedUnderTheBoundToken(): void
    {
        $this->useServer('plain', ['GAP_REQUIRE_ENCRYPTION' => '0']);
        [$victimTokenId, $victimToken, , $attackerToken] = $this->twoTokens();
        $this->assertNull($this->registerAgent($victimToken, tag: 'paris'));

        // No key was sent, so a renewal is plain; its challenge is under the agent's token.
        $challenge = $this->askChallenge(tag: 'lyon');
        $this->assertFalse(self::answerableWith($attackerToken, $challenge));
        $this->assertTrue(self::answerableWith($victimToken, $challenge));
        $this->assertSame($victimTokenId, (int) $this->store->agentByUuid(self::AGENT_ID)['token_id']);
    }

    public function testAnAgentRejectedWhileItsChallengeWasPendingIsForbidden(): void
    {
        [, $token] = $this->createToken();
        $this->registerAgent($token);
        $this->adminOk('agent', 'force-register', self::AGENT_ID);
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $this->adminOk('agent', 'reject', self::AGENT_ID);
        $before = $this->store->snapshot();
        $this->assertChallengeRefused($this->send(self::answerMessage($mine['answer'])), $before, 'challenge-failed', 'forbidden');
        $this->assertSame('agent rejected', end($this->store->snapshot()['register_failures'])['detail']);
    }

    // Nothing is written before the token is proven ----------------------------------------

    public function testAFirstMessageWritesNoAgentRow(): void
    {
        [$tokenId] = $this->createToken();
        $before = $this->store->snapshot();
        $this->askChallenge();
        $after = $this->store->snapshot();
        $this->assertSame([], $after['agents'], 'no agent row before the answer');
        $this->assertCount(1, $after['register_challenges']);
        $this->assertSame($tokenId, (int) $after['register_challenges'][0]['token_id']);
        unset($before['register_challenges'], $after['register_challenges']);
        $this->assertSame($before, $after, 'a pending challenge is the only write');
    }

    public function testAFirstMessageFromSomeoneElseNeitherRewritesTheAgentNorCancelsItsChallenge(): void
    {
        [, $token] = $this->createToken();
        $this->registerAgent($token);
        $this->adminOk('agent', 'force-register', self::AGENT_ID);
        $agentRow = $this->store->agentByUuid(self::AGENT_ID);

        // The agent asks for a challenge; then someone without any token sends a first
        // message with the agent's id and other fields.
        $mine = RegisterAgent::answer($token, self::AGENT_ID, $this->askChallenge());
        $before = $this->store->snapshot();
        $answer = $this->send(self::firstMessage(null, self::ATTACKER_FIELDS));
        $this->assertSame(200, $answer->status, $answer->plain());
        $after = $this->store->snapshot();
        $this->assertSame($agentRow, $this->store->agentByUuid(self::AGENT_ID), 'the agent row is untouched');
        $this->assertCount(2, $after['register_challenges'], 'the agent\'s challenge is still there');
        unset($before['register_challenges'], $after['register_challenges']);
        $this->assertSame($before, $after);

        // The agent's answer to its own challenge still works, and its own fields are kept.
        $json = $this->send(self::answerMessage($mine['answer']))->json();
        $this->assertSame('registered', $json['status']);
        $row = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame(['pc-1-2026-01-01', 'GLPI-Agent', '1.12', 62354], [$row['device_id'], $row['name'], $row['version'], $row['httpd_port']]);
        $this->assertSame([], $this->store->snapshot()['register_challenges'], 'a registration uses up every pending challenge');
    }

    public function testTheAnswerWritesTheFieldsOfTheFirstMessageWithTheKey(): void
    {
        [$tokenId, $token] = $this->createToken();
        $this->registerAgent($token, tag: 'lab');
        $snapshot = $this->store->snapshot();
        $row = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame(['pc-1-2026-01-01', 'GLPI-Agent', '1.12', 'lab', 62354, 'register', 'GLPI-Agent_v1.12'],
            [$row['device_id'], $row['name'], $row['version'], $row['tag'], $row['httpd_port'], $row['last_action'], $row['user_agent']]);
        $this->assertSame($tokenId, (int) $row['token_id']);
        $this->assertCount(1, $snapshot['agent_keys']);
        $this->assertSame(['token-created', 'registered'], array_column($snapshot['register_events'], 'event'));
    }
}
