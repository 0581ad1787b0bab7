<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Config;

require_once __DIR__ . '/support/RegisterTestCase.php';

/**
 * What a peer that proved nothing can make the store keep (docs/register.md, "Bounded
 * state"): every text field from the wire has a maximum length, and pending challenges and
 * failure events live in tables capped per agent and in all, emptied by the lazy cleanup.
 */
final class EndpointBoundedStoreTest extends RegisterTestCase
{
    private const WRONG_ANSWER = '0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d';

    private static function agentId(int $n): string
    {
        $hex = sprintf('%032x', $n + 1);
        return sprintf('%s-%s-4%s-8%s-%s', substr($hex, 0, 8), substr($hex, 8, 4), substr($hex, 13, 3), substr($hex, 17, 3), substr($hex, 20));
    }

    // Field lengths -----------------------------------------------------------------------

    public function testRegisterFieldsLongerThanTheirLimitAreBadFormat(): void
    {
        // Without a tag, the token serves every tag.
        $this->createToken();
        $before = $this->store->snapshot();
        foreach (['deviceid', 'name', 'version', 'tag'] as $field) {
            $this->assertRefused($this->send(self::firstMessage(null, [$field => str_repeat('x', 256)])), 400, 'bad-format', $before);
        }
        $headers = ['User-Agent' => str_repeat('A', 256)] + self::registerHeaders();
        $this->assertRefused($this->post($headers, self::firstMessage('t')), 400, 'bad-format', $before);

        // At the limit is accepted.
        $longest = ['deviceid' => str_repeat('d', 255), 'name' => str_repeat('n', 255), 'version' => str_repeat('v', 255)];
        $this->assertSame(200, $this->send(self::firstMessage(str_repeat('t', 255), $longest))->status);

        // An agent's failure text: 500 bytes at most.
        $this->askChallenge(tag: 't');
        $before = $this->store->snapshot();
        $failure = fn (int $length): HttpAnswer => $this->send(self::jsonMessage(['action' => 'register', 'challenge' => str_repeat('f', $length)]));
        $this->assertRefused($failure(501), 400, 'bad-format', $before);
        $this->assertChallengeRefused($failure(500), $before, 'agent-failure');
    }

    public function testFieldsOfOtherActionsLongerThanTheirLimitAreBadFormat(): void
    {
        $this->useServer('open', ['GAP_REGISTER' => 'off', 'GAP_MAX_FIELD_BYTES' => '64']);
        $long = str_repeat('x', 65);
        $contact = ['action' => 'contact', 'deviceid' => 'pc-1', 'name' => 'GLPI-Agent', 'version' => '1.12', 'installed-tasks' => ['inventory']];
        $inventory = ['action' => 'inventory', 'deviceid' => 'pc-1', 'content' => ['hardware' => ['name' => 'pc-1']]];
        $before = $this->store->snapshot();
        foreach (['deviceid', 'name', 'version', 'tag'] as $field) {
            $this->assertRefused($this->send(self::jsonMessage([$field => $long] + $contact)), 400, 'bad-format', $before);
        }
        foreach (['deviceid', 'tag'] as $field) {
            $this->assertRefused($this->send(self::jsonMessage([$field => $long] + $inventory)), 400, 'bad-format', $before);
        }
        $prolog = fn (string $deviceId): HttpAnswer => $this->post(['Content-Type' => 'application/xml', 'User-Agent' => 'FusionInventory-Agent_v2.6'],
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<REQUEST><DEVICEID>$deviceId</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>12345678</TOKEN></REQUEST>\n");
        $this->assertRefused($prolog($long), 400, 'bad-format', $before);
        $this->assertRefused($this->post(['User-Agent' => $long] + self::registerHeaders(), self::jsonMessage($contact)), 400, 'bad-format', $before);

        $this->assertSame(200, $prolog(str_repeat('x', 64))->status);
        $this->assertSame(200, $this->send(self::jsonMessage(['tag' => str_repeat('t', 64)] + $contact))->status);
        $this->assertSame(str_repeat('t', 64), $this->store->agentByUuid(self::AGENT_ID)['tag']);
    }

    public function testLimitsOutsideTheirRangeAreConfigurationErrors(): void
    {
        $bad = [
            ['max_field_bytes' => 256, 'from 1 to 255'],
            ['max_field_bytes' => 0, 'from 1 to 255'],
            ['max_reason_bytes' => 501, 'from 1 to 500'],
            ['challenges_per_agent' => 0, 'positive'],
            ['max_unauthenticated_rows' => '10', 'positive'],
            ['failure_retention' => 'forever', 'positive delay'],
        ];
        foreach ($bad as $case) {
            $message = array_pop($case);
            try {
                Config::fromArray($case);
                $this->fail('accepted ' . json_encode($case));
            } catch (\UnexpectedValueException $e) {
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
        $this->assertSame(255, Config::fromArray([])->get('max_field_bytes'));
    }

    // Caps --------------------------------------------------------------------------------

    public function testPendingChallengesAreCappedPerAgent(): void
    {
        $this->createToken();
        for ($i = 0; $i < 3; $i++) {
            $this->askChallenge();
        }
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::firstMessage()), 429, 'too many requests', $before, '1m');
        $this->askChallenge(self::OTHER_ID);

        // Once one has expired, there is room again.
        $this->store->pdo()->exec("UPDATE register_challenges SET expires_at = '2020-01-01 00:00:00' WHERE id = (SELECT MIN(id) FROM register_challenges)");
        $this->askChallenge();
        $this->assertCount(3, array_filter($this->store->snapshot()['register_challenges'], fn (array $c): bool => $c['agent_uuid'] === self::AGENT_ID));
    }

    public function testPendingChallengesAndFailureEventsAreCappedInAll(): void
    {
        $this->useServer('small', ['GAP_MAX_UNAUTHENTICATED_ROWS' => '4', 'GAP_FAILURES_PER_AGENT' => '3']);
        $this->createToken();
        for ($i = 0; $i < 4; $i++) {
            $this->askChallenge(self::agentId($i));
        }
        $before = $this->store->snapshot();
        $this->assertRefusedWith($this->send(self::firstMessage(), self::agentId(4)), 429, 'too many requests', $before, '1m');

        // Failure events: 3 per agent, the newest kept; 4 in all.
        for ($i = 0; $i < 5; $i++) {
            $this->assertSame(403, $this->send(self::jsonMessage(['action' => 'register', 'challenge' => "failure $i"]), self::agentId(0))->status);
        }
        $this->assertSame(['agent says: failure 2', 'agent says: failure 3', 'agent says: failure 4'], array_column($this->store->snapshot()['register_failures'], 'detail'));
        for ($i = 1; $i < 4; $i++) {
            $this->assertSame(403, $this->send(self::answerMessage(self::WRONG_ANSWER), self::agentId($i))->status);
        }
        $failures = $this->store->snapshot()['register_failures'];
        $this->assertCount(4, $failures);
        $this->assertSame([self::agentId(0), self::agentId(1), self::agentId(2), self::agentId(3)], array_column($failures, 'agent_uuid'), 'the oldest go first');
        $listed = $this->adminOk('failures', '--limit', '2');
        $this->assertStringContainsString(self::agentId(3), $listed);
        $this->assertStringNotContainsString(self::agentId(1), $listed, 'newest last, limited');
    }

    public function testTheLazyCleanupRemovesExpiredRows(): void
    {
        [, $token] = $this->createToken();
        $this->askChallenge(self::OTHER_ID);
        $this->assertSame(403, $this->send(self::answerMessage(self::WRONG_ANSWER), self::OTHER_ID)->status);
        $this->store->pdo()->exec("UPDATE register_challenges SET expires_at = '2020-01-01 00:00:00'");
        $this->store->pdo()->exec("UPDATE register_failures SET created_at = '2020-01-01 00:00:00'");
        $this->store->pdo()->prepare('INSERT INTO retry_misses (agent_uuid, misses, window_until) VALUES (?, 5, ?)')->execute([self::OTHER_ID, time() - 1]);
        $stamp = self::registerEnv()['GAP_KEK_FILE'] . '.cleanup';
        @unlink($stamp);

        $this->registerAgent($token);
        $after = $this->store->snapshot();
        $this->assertSame([], $after['register_challenges']);
        $this->assertSame([], $after['register_failures']);
        $this->assertSame([], $after['retry_misses']);
        $this->assertContains('cleanup', array_column($after['register_events'], 'event'));
        $this->assertFileExists($stamp);
    }

    // The flood ---------------------------------------------------------------------------

    /**
     * Bytes of the store: the SQLite file once its log is copied in and emptied, or
     * MariaDB's count of the tables' pages.
     */
    private function storeBytes(): int
    {
        $dsn = self::$settings['dsn'];
        if (str_starts_with($dsn, 'sqlite:')) {
            $this->store->pdo()->query('PRAGMA wal_checkpoint(TRUNCATE)')->closeCursor();
            $file = substr($dsn, 7);
            clearstatcache();
            return (int) filesize($file) + (int) @filesize("$file-wal");
        }
        $pdo = $this->store->pdo();
        $pdo->query('ANALYZE TABLE agents, register_challenges, register_failures, register_events')->fetchAll();
        return (int) $pdo->query('SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = DATABASE()')->fetchColumn();
    }

    /**
     * Sends every request over its own connection, $parallel at a time (the built-in
     * server closes each connection after one answer), and counts the answers by status.
     *
     * @param iterable<array{0: array<string, string>, 1: string}> $requests
     * @return array<int, int>
     */
    private static function flood(EndpointServer $server, iterable $requests, int $parallel = 8): array
    {
        $address = 'tcp://' . parse_url($server->url(), PHP_URL_HOST) . ':' . parse_url($server->url(), PHP_URL_PORT);
        $statuses = [];
        $open = [];
        $queue = (static fn () => yield from $requests)();
        while ($queue->valid() || $open !== []) {
            while ($queue->valid() && count($open) < $parallel) {
                [$headers, $body] = $queue->current();
                $queue->next();
                $socket = stream_socket_client($address, $errno, $error, 5);
                self::assertNotFalse($socket, "connect: $error");
                $head = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " . strlen($body) . "\r\n";
                foreach ($headers as $name => $value) {
                    $head .= "$name: $value\r\n";
                }
                fwrite($socket, $head . "\r\n" . $body);
                stream_set_blocking($socket, false);
                $open[(int) $socket] = ['socket' => $socket, 'raw' => ''];
            }
            $read = array_column($open, 'socket');
            $write = $except = null;
            if (stream_select($read, $write, $except, 30) === 0) {
                self::fail('the endpoint stopped answering');
            }
            foreach ($read as $socket) {
                $chunk = fread($socket, 65536);
                $open[(int) $socket]['raw'] .= (string) $chunk;
                if (feof($socket)) {
                    $answer = HttpAnswer::parse($open[(int) $socket]['raw']);
                    $statuses[$answer->status] = ($statuses[$answer->status] ?? 0) + 1;
                    fclose($socket);
                    unset($open[(int) $socket]);
                }
            }
        }
        ksort($statuses);
        return $statuses;
    }

    public function testAFloodOfFirstMessagesLeavesTheStoreBounded(): void
    {
        $this->useServer('flood', ['PHP_CLI_SERVER_WORKERS' => '2']);
        $server = self::$others['flood'];
        [$tokenId, $token] = $this->createToken();
        $sizeBefore = $this->storeBytes();

        $first = self::firstMessage();
        $statuses = self::flood($server, (static function () use ($first) {
            for ($i = 0; $i < 10000; $i++) {
                yield [self::registerHeaders(self::agentId($i)), $first];
            }
        })());
        $this->assertSame([200 => 1000, 429 => 9000], $statuses, 'max_unauthenticated_rows (1000) pending challenges, then 429');

        // Large device ids: past max_field_bytes within what a REGISTER may weigh (400), and
        // of 1 MiB, a body no REGISTER needs, refused from the headers before it is decoded
        // (403); then failure answers for every agent with a challenge.
        $long = self::firstMessage(null, ['deviceid' => str_repeat('x', 60000)]);
        $huge = self::firstMessage(null, ['deviceid' => str_repeat('x', 1 << 20)]);
        $statuses = self::flood($server, (static function () use ($long, $huge) {
            for ($i = 0; $i < 40; $i++) {
                yield [self::registerHeaders(self::agentId(20000 + $i)), $i % 2 === 0 ? $long : $huge];
            }
            for ($i = 0; $i < 1200; $i++) {
                yield [self::registerHeaders(self::agentId($i % 1000)), self::jsonMessage(['action' => 'register', 'challenge' => "failure $i"])];
            }
        })());
        $this->assertSame([400 => 20, 403 => 1220], $statuses);

        $after = $this->store->snapshot();
        $this->assertSame([], $after['agents'], 'no agent row without a proven token');
        $this->assertCount(1000, $after['register_challenges']);
        $this->assertCount(1000, $after['register_failures']);
        $this->assertSame(['token-created'], array_column($after['register_events'], 'event'));
        $this->assertSame([$tokenId], array_values(array_unique(array_map('intval', array_column($after['register_challenges'], 'token_id')))));
        unset($after);
        $growth = $this->storeBytes() - $sizeBefore;
        $this->assertLessThan(2 << 20, $growth, "the store grew by $growth bytes");

        // The flood's rows keep nobody out for long: a real agent registers once they expired.
        $this->store->pdo()->exec("UPDATE register_challenges SET expires_at = '2020-01-01 00:00:00'");
        $this->assertSame(16, strlen((string) $this->registerAgent($token, self::agentId(50000))));
    }
}
