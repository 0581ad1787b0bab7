<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/RegisterTestCase.php';

/**
 * Bodies whose PHP values would cost far more memory than their bytes, through HTTP, with
 * REGISTER on and the server under php-fpm's usual memory_limit of 128M: a peer that may
 * only register has its body decoded within what a REGISTER needs, so the refusal costs the
 * process no memory; a registered agent's body is checked against memory_limit before any
 * value is built, so it gets a 413 instead of PHP's fatal error and an empty 500.
 */
final class EndpointMemoryTest extends RegisterTestCase
{
    private const MEMORY_LIMIT = '128M';

    protected static function serverEnv(): array
    {
        return self::registerEnv() + ['GAP_REQUIRE_ENCRYPTION' => '0'];
    }

    protected static function serverIni(): array
    {
        return ['memory_limit' => self::MEMORY_LIMIT];
    }

    /**
     * An inventory whose content holds a JSON array of about $mib MiB of empty objects, with
     * varied whitespace so that zlib does not compress it past the ratio limit (as an
     * attacker would make it), zlib-compressed.
     */
    private static function emptyObjects(int $mib): string
    {
        mt_srand(5);
        $chunk = '';
        while (strlen($chunk) < 65536) {
            $chunk .= ['{},', '{} ,', "{},\n", '{},  ', "{}\t,"][mt_rand(0, 4)];
        }
        return gzcompress('{"action":"inventory","deviceid":"pc-1","content":{"x":['
            . str_repeat($chunk, intdiv($mib << 20, strlen($chunk))) . '{}]}}');
    }

    private static function zlibHeaders(string $agentId): array
    {
        return ['Content-Type' => 'application/x-compress-zlib', 'GLPI-Agent-ID' => $agentId];
    }

    public function testAnUnregisteredPeersHugeBodyIsRefusedFromItsHeadersAtNoMemoryCost(): void
    {
        $body = self::emptyObjects(64);
        $this->assertLessThan(200, (64 << 20) / strlen($body), 'under the ratio limit: only the gate can stop it');
        // A request first, so that the server's peak reflects its working size.
        $this->post(self::zlibHeaders(self::OTHER_ID), gzcompress(self::firstMessage()));
        $rssBefore = self::$server->peakRss();
        $before = $this->store->snapshot();

        $answer = $this->post(self::zlibHeaders(self::AGENT_ID), $body);
        $this->assertRefused($answer, 403, 'registration required', $before);
        $grown = self::$server->peakRss() - $rssBefore;
        // The server holds the compressed body twice (its request buffer and php://input);
        // decoding adds no more than a REGISTER's 64 KiB. Before: 1.1 GB of RSS for 4 s,
        // then the same 403.
        $this->assertLessThan(2 * strlen($body) + (4 << 20), $grown, "the server's peak RSS grew by $grown bytes for a body of " . strlen($body));
        $this->assertStringNotContainsString('Allowed memory size', self::$server->log());
    }

    public function testARegisteredAgentsBodyBeyondMemoryLimitIsA413NotAFatalError(): void
    {
        [, $token] = $this->createToken();
        $this->registerAgent($token);
        $before = $this->store->snapshot();

        // 8 MiB of "{}," is 2.8 million objects: about 180 MB of PHP values under a 128M limit.
        $answer = $this->post(self::zlibHeaders(self::AGENT_ID), self::emptyObjects(8));
        $this->assertRefused($answer, 413, 'values exceed memory limit', $before);
        $this->assertStringNotContainsString('Allowed memory size', self::$server->log());

        // Within the limit, the same agent's real inventory is stored.
        $inventory = gzcompress(self::sample('inventory.json'));
        $this->assertSame(200, $this->post(self::zlibHeaders(self::AGENT_ID), $inventory)->status);
        $this->assertCount(1, $this->store->inventories());
    }

    public function testMoreValuesThanTheEndpointAllowsAreRefused(): void
    {
        [, $token] = $this->createToken();
        $this->registerAgent($token);
        $this->useServer('few values', ['GAP_REQUIRE_ENCRYPTION' => '0', 'GAP_MAX_VALUES' => '1000']);
        $before = $this->store->snapshot();
        $answer = $this->post(self::zlibHeaders(self::AGENT_ID), gzcompress(self::sample('inventory.json')));
        $this->assertRefused($answer, 413, 'too many values', $before);
    }
}
