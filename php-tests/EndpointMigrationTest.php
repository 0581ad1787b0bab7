<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Migrations;
use GlpiAgentEndpoint\Store;
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/../server/src/autoload.php';

/**
 * Schema step 4 on a store that already holds registrations (SQLite file of its own):
 * agents registered before it are bound to the token of their key, and pending
 * challenges, which carry no fields yet, are dropped.
 */
final class EndpointMigrationTest extends TestCase
{
    public function testStepFourBindsRegisteredAgentsToTheTokenOfTheirKey(): void
    {
        $file = tempnam(sys_get_temp_dir(), 'gap-migration-');
        try {
            $pdo = new \PDO("sqlite:$file");
            $pdo->setAttribute(\PDO::ATTR_ERRMODE, \PDO::ERRMODE_EXCEPTION);
            $pdo->exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
            foreach (Migrations::steps() as $version => $sql) {
                if ($version > 3) {
                    break;
                }
                foreach ($sql['sqlite'] as $statement) {
                    $pdo->exec($statement);
                }
                $pdo->exec("INSERT INTO schema_migrations VALUES ($version, '2026-01-01 00:00:00')");
            }
            $now = Store::now();
            $pdo->exec("INSERT INTO tokens (id, wrapped_token, created_at) VALUES (1, 'aa', '$now'), (2, 'bb', '$now')");
            $pdo->exec("INSERT INTO agents (agent_uuid, device_id, last_action, first_seen, last_contact) VALUES
                ('8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9', 'a', 'register', '$now', '$now'),
                ('3a609a2e-947f-4e6a-9af9-32c024ac3944', 'b', 'contact', '$now', '$now')");
            $pdo->exec("INSERT INTO agent_keys (agent_uuid, token_id, wrapped_key, issued_at, expires_at) VALUES
                ('8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9', 2, 'cc', '$now', '2099-01-01 00:00:00')");
            $pdo->exec("INSERT INTO register_challenges (state_id, agent_uuid, token_id, state, created_at, expires_at) VALUES
                ('s', '3a609a2e-947f-4e6a-9af9-32c024ac3944', 1, 'x', '$now', '2099-01-01 00:00:00')");

            $applied = Migrations::migrate($pdo);
            $this->assertSame(range(4, max($applied)), $applied, 'step 4 and every later step');
            $bound = $pdo->query('SELECT agent_uuid, token_id FROM agents ORDER BY id')->fetchAll(\PDO::FETCH_KEY_PAIR);
            $this->assertSame(['8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9' => 2, '3a609a2e-947f-4e6a-9af9-32c024ac3944' => null], $bound);
            $this->assertSame(0, (int) $pdo->query('SELECT COUNT(*) FROM register_challenges')->fetchColumn());
            $this->assertSame(['register_challenges', 'register_failures', 'retry_misses'], $pdo->query('SELECT name FROM write_locks ORDER BY name')->fetchAll(\PDO::FETCH_COLUMN));
        } finally {
            unset($pdo);
            @unlink($file);
        }
    }
}
