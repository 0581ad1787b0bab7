<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * GET retries (spec 3.2.2) cannot be used to guess request ids: a stored answer is found
 * by agent id and request id together, and after max_unknown_retries unknown request ids
 * an agent's GET retries get 429 too many requests until unknown_retry_window ends.
 */
final class EndpointRetryLimitTest extends EndpointTestCase
{
    private const KNOWN = 'ABCDEF12';

    private function contactWithRequestId(string $agentId, string $requestId): void
    {
        $headers = ['GLPI-Agent-ID' => $agentId] + self::agentHeaders('application/json', $requestId);
        $body = self::jsonMessage(['action' => 'contact', 'deviceid' => 'pc-1', 'name' => 'GLPI-Agent', 'version' => '1.12', 'installed-tasks' => ['inventory']]);
        $this->assertSame(200, $this->post($headers, $body)->status);
    }

    private static function retry(string $agentId, string $requestId, ?EndpointServer $server = null): HttpAnswer
    {
        return ($server ?? self::$server)->request('GET', ['GLPI-Agent-ID' => $agentId, 'GLPI-Request-ID' => $requestId]);
    }

    public function testAnswersAreFoundByAgentIdAndRequestIdTogether(): void
    {
        $this->contactWithRequestId(self::AGENT_ID, self::KNOWN);
        $this->assertSame(200, self::retry(self::AGENT_ID, self::KNOWN)->status);
        $answer = self::retry(self::OTHER_ID, self::KNOWN);
        $this->assertSame(404, $answer->status);
        $this->assertSame('unknown request', $answer->token());
    }

    public function testUnknownRequestIdsLockTheAgentsRetriesForAWhile(): void
    {
        $this->contactWithRequestId(self::AGENT_ID, self::KNOWN);
        $this->contactWithRequestId(self::OTHER_ID, self::KNOWN);
        for ($i = 0; $i < 5; $i++) {
            $answer = self::retry(self::AGENT_ID, sprintf('%08X', $i));
            $this->assertSame(404, $answer->status);
            $this->assertSame('unknown request', $answer->token());
        }
        $before = $this->store->snapshot();
        $this->assertSame(5, (int) $before['retry_misses'][0]['misses']);
        foreach ([sprintf('%08X', 99), self::KNOWN] as $requestId) {
            $answer = self::retry(self::AGENT_ID, $requestId);
            $this->assertRefused($answer, 429, 'too many requests', $before);
            $this->assertMatchesRegularExpression('/^([1-9]|10)m$|^[0-9]+s$/', (string) $answer->json()['expiration'], 'the rest of the window');
        }
        // Another agent's retries are not affected.
        $this->assertSame(200, self::retry(self::OTHER_ID, self::KNOWN)->status);

        // Once the window ended, retries are served again and misses counted anew.
        $this->store->pdo()->exec('UPDATE retry_misses SET window_until = ' . (time() - 1));
        $this->assertSame(200, self::retry(self::AGENT_ID, self::KNOWN)->status);
        $this->assertSame(404, self::retry(self::AGENT_ID, '0BADC0DE')->status);
        $this->assertSame(1, (int) $this->store->snapshot()['retry_misses'][0]['misses']);
    }

    public function testTheCountersAreCappedInAll(): void
    {
        $server = new EndpointServer(self::storeSettings() + ['GAP_MAX_UNAUTHENTICATED_ROWS' => '2', 'GAP_MAX_UNKNOWN_RETRIES' => '3']);
        try {
            $agents = [self::AGENT_ID, self::OTHER_ID, '0f4e2c1a-7b3d-4e5f-8a9b-0c1d2e3f4a5b'];
            $this->contactWithRequestId($agents[2], self::KNOWN);
            $this->assertSame(404, self::retry($agents[0], '0BADC0DE', $server)->status);
            $this->assertSame(404, self::retry($agents[1], '0BADC0DE', $server)->status);
            // The table is full: a miss that needs a new row is refused, a known id is still served.
            $before = $this->store->snapshot();
            $this->assertRefused(self::retry($agents[2], '0BADC0DE', $server), 429, 'too many requests', $before);
            $this->assertSame(200, self::retry($agents[2], self::KNOWN, $server)->status);
            $this->assertCount(2, $this->store->snapshot()['retry_misses']);
            // Ended windows make room.
            $this->store->pdo()->exec('UPDATE retry_misses SET window_until = ' . (time() - 1));
            $this->assertSame(404, self::retry($agents[2], '0BADC0DE', $server)->status);
            $this->assertSame([$agents[2]], array_column($this->store->snapshot()['retry_misses'], 'agent_uuid'));
        } finally {
            $server->stop();
        }
    }
}
