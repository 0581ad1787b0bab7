<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use function GlpiAgentProtocol\format_expiration;

/**
 * GET retries (spec 3.2.2) with request ids nobody was given: request ids are 8 hex
 * digits, so an agent's stored answers could be found by guessing. After
 * max_unknown_retries misses for one agent within unknown_retry_window, every GET retry of
 * that agent is refused with 429 until the window ends. One row per agent in retry_misses,
 * at most max_unauthenticated_rows in all; when full, a miss that needs a new row is
 * refused too (a known request id never needs one).
 */
final class RetryLimit
{
    public function __construct(private Config $config)
    {
    }

    /** Refuses a GET retry while the agent's misses are at the limit. */
    public function check(Store $store, string $agentUuid): void
    {
        $row = $this->row($store, $agentUuid);
        if ($row !== null && $row['window_until'] >= time() && $row['misses'] >= $this->config->get('max_unknown_retries')) {
            throw $this->refusal($row['window_until'] - time());
        }
    }

    /** Counts a GET retry whose request id has no stored answer. */
    public function miss(Store $store, string $agentUuid): void
    {
        $store->transaction(function (Store $s) use ($agentUuid): void {
            $s->lockCappedTable('retry_misses');
            $pdo = $s->pdo();
            $now = time();
            $window = $this->config->seconds('unknown_retry_window');
            $row = $this->row($s, $agentUuid, true);
            if ($row !== null) {
                $open = $row['window_until'] >= $now;
                $pdo->prepare('UPDATE retry_misses SET misses = ?, window_until = ? WHERE agent_uuid = ?')
                    ->execute([$open ? $row['misses'] + 1 : 1, $open ? $row['window_until'] : $now + $window, $agentUuid]);
                return;
            }
            $count = static fn (): int => (int) $pdo->query('SELECT COUNT(*) FROM retry_misses' . $s->currentRead())->fetchColumn();
            $cap = $this->config->get('max_unauthenticated_rows');
            if ($count() >= $cap) {
                $pdo->prepare('DELETE FROM retry_misses WHERE window_until < ?')->execute([$now]);
                if ($count() >= $cap) {
                    throw $this->refusal($window);
                }
            }
            try {
                $pdo->prepare('INSERT INTO retry_misses (agent_uuid, misses, window_until) VALUES (?, 1, ?)')->execute([$agentUuid, $now + $window]);
            } catch (\PDOException $e) {
                // Two first misses of one agent at once: the other one is counted.
                if ($e->getCode() !== '23000') {
                    throw $e;
                }
            }
        });
    }

    /**
     * @param bool $current read the latest committed row (inside miss(), after the lock)
     * @return array{misses: int, window_until: int}|null
     */
    private function row(Store $store, string $agentUuid, bool $current = false): ?array
    {
        $stmt = $store->pdo()->prepare('SELECT misses, window_until FROM retry_misses WHERE agent_uuid = ?' . ($current ? $store->currentRead() : ''));
        $stmt->execute([$agentUuid]);
        $row = $stmt->fetch();
        return $row === false ? null : ['misses' => (int) $row['misses'], 'window_until' => (int) $row['window_until']];
    }

    private function refusal(int $seconds): EndpointError
    {
        return EndpointError::register(429, 'too many requests', format_expiration(max(1, $seconds)));
    }
}
