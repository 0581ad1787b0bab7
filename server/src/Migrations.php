<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use PDO;

/**
 * The schema, as numbered steps applied once each and recorded in schema_migrations.
 * Steps are append-only: a released step is never edited, a change is a new step.
 */
final class Migrations
{
    /**
     * @return array<int, array{sqlite: list<string>, mysql: list<string>}>
     */
    public static function steps(): array
    {
        return [
            1 => [
                'sqlite' => [
                    'CREATE TABLE agents (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        agent_uuid TEXT NULL UNIQUE,
                        device_id TEXT NOT NULL,
                        name TEXT NULL,
                        version TEXT NULL,
                        tag TEXT NULL,
                        installed_tasks TEXT NULL,
                        enabled_tasks TEXT NULL,
                        httpd_port INTEGER NULL,
                        httpd_plugins TEXT NULL,
                        proxy_chain TEXT NULL,
                        user_agent TEXT NULL,
                        remote_addr TEXT NULL,
                        last_action TEXT NOT NULL,
                        first_seen TEXT NOT NULL,
                        last_contact TEXT NOT NULL
                    )',
                    'CREATE INDEX agents_device_id ON agents (device_id)',
                    'CREATE TABLE inventories (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        agent_id INTEGER NOT NULL REFERENCES agents (id),
                        action TEXT NOT NULL,
                        itemtype TEXT NOT NULL,
                        device_id TEXT NOT NULL,
                        request_id TEXT NULL,
                        partial INTEGER NOT NULL DEFAULT 0,
                        format TEXT NOT NULL,
                        compression TEXT NOT NULL,
                        raw_size INTEGER NOT NULL,
                        decoded_size INTEGER NOT NULL,
                        decode_us INTEGER NOT NULL,
                        received_at TEXT NOT NULL,
                        content TEXT NOT NULL
                    )',
                    'CREATE INDEX inventories_agent ON inventories (agent_id)',
                    'CREATE TABLE answers (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        agent_uuid TEXT NOT NULL,
                        request_id TEXT NOT NULL,
                        action TEXT NOT NULL,
                        http_status INTEGER NOT NULL,
                        content_type TEXT NOT NULL,
                        answer TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        UNIQUE (agent_uuid, request_id)
                    )',
                ],
                'mysql' => [
                    'CREATE TABLE agents (
                        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        agent_uuid CHAR(36) NULL,
                        device_id VARCHAR(255) NOT NULL,
                        name VARCHAR(255) NULL,
                        version VARCHAR(255) NULL,
                        tag VARCHAR(255) NULL,
                        installed_tasks TEXT NULL,
                        enabled_tasks TEXT NULL,
                        httpd_port INT NULL,
                        httpd_plugins TEXT NULL,
                        proxy_chain TEXT NULL,
                        user_agent VARCHAR(255) NULL,
                        remote_addr VARCHAR(64) NULL,
                        last_action VARCHAR(32) NOT NULL,
                        first_seen DATETIME NOT NULL,
                        last_contact DATETIME NOT NULL,
                        UNIQUE KEY agents_agent_uuid (agent_uuid),
                        KEY agents_device_id (device_id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE inventories (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        agent_id INT UNSIGNED NOT NULL,
                        action VARCHAR(32) NOT NULL,
                        itemtype VARCHAR(64) NOT NULL,
                        device_id VARCHAR(255) NOT NULL,
                        request_id VARCHAR(16) NULL,
                        partial TINYINT(1) NOT NULL DEFAULT 0,
                        format VARCHAR(8) NOT NULL,
                        compression VARCHAR(8) NOT NULL,
                        raw_size INT UNSIGNED NOT NULL,
                        decoded_size INT UNSIGNED NOT NULL,
                        decode_us INT UNSIGNED NOT NULL,
                        received_at DATETIME NOT NULL,
                        content LONGTEXT NOT NULL,
                        KEY inventories_agent (agent_id),
                        CONSTRAINT inventories_agent_fk FOREIGN KEY (agent_id) REFERENCES agents (id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE answers (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        agent_uuid CHAR(36) NOT NULL,
                        request_id VARCHAR(16) NOT NULL,
                        action VARCHAR(32) NOT NULL,
                        http_status SMALLINT UNSIGNED NOT NULL,
                        content_type VARCHAR(64) NOT NULL,
                        answer TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        UNIQUE KEY answers_request (agent_uuid, request_id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                ],
            ],
            // REGISTER: tokens and session keys (wrapped under the KEK, never in clear),
            // pending challenges, ids of encrypted messages seen (replays) and the audit log.
            2 => [
                'sqlite' => [
                    'ALTER TABLE agents ADD COLUMN approval TEXT NULL',
                    'CREATE TABLE tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        wrapped_token TEXT NOT NULL,
                        tag TEXT NULL,
                        comment TEXT NULL,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT NULL
                    )',
                    'CREATE TABLE agent_keys (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        agent_uuid TEXT NOT NULL UNIQUE,
                        token_id INTEGER NOT NULL REFERENCES tokens (id),
                        wrapped_key TEXT NOT NULL,
                        issued_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL,
                        revoked_at TEXT NULL,
                        renew_required INTEGER NOT NULL DEFAULT 0
                    )',
                    'CREATE INDEX agent_keys_token ON agent_keys (token_id)',
                    'CREATE TABLE register_challenges (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        state_id TEXT NOT NULL UNIQUE,
                        agent_uuid TEXT NOT NULL,
                        token_id INTEGER NOT NULL REFERENCES tokens (id),
                        state TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL
                    )',
                    'CREATE INDEX register_challenges_agent ON register_challenges (agent_uuid)',
                    'CREATE TABLE seen_messages (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        message_id TEXT NOT NULL UNIQUE,
                        agent_uuid TEXT NOT NULL,
                        keep_until INTEGER NOT NULL
                    )',
                    'CREATE INDEX seen_messages_keep_until ON seen_messages (keep_until)',
                    'CREATE TABLE register_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        created_at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        event TEXT NOT NULL,
                        agent_uuid TEXT NULL,
                        token_id INTEGER NULL,
                        detail TEXT NULL
                    )',
                ],
                'mysql' => [
                    'ALTER TABLE agents ADD COLUMN approval VARCHAR(16) NULL',
                    'CREATE TABLE tokens (
                        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        wrapped_token VARCHAR(64) NOT NULL,
                        tag VARCHAR(255) NULL,
                        comment VARCHAR(255) NULL,
                        created_at DATETIME NOT NULL,
                        revoked_at DATETIME NULL
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE agent_keys (
                        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        agent_uuid CHAR(36) NOT NULL,
                        token_id INT UNSIGNED NOT NULL,
                        wrapped_key VARCHAR(64) NOT NULL,
                        issued_at DATETIME NOT NULL,
                        expires_at DATETIME NOT NULL,
                        revoked_at DATETIME NULL,
                        renew_required TINYINT(1) NOT NULL DEFAULT 0,
                        UNIQUE KEY agent_keys_agent (agent_uuid),
                        KEY agent_keys_token (token_id),
                        CONSTRAINT agent_keys_token_fk FOREIGN KEY (token_id) REFERENCES tokens (id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE register_challenges (
                        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        state_id VARCHAR(64) NOT NULL,
                        agent_uuid CHAR(36) NOT NULL,
                        token_id INT UNSIGNED NOT NULL,
                        state TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        expires_at DATETIME NOT NULL,
                        UNIQUE KEY register_challenges_state (state_id),
                        KEY register_challenges_agent (agent_uuid),
                        CONSTRAINT register_challenges_token_fk FOREIGN KEY (token_id) REFERENCES tokens (id)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE seen_messages (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        message_id VARCHAR(64) NOT NULL,
                        agent_uuid CHAR(36) NOT NULL,
                        keep_until BIGINT NOT NULL,
                        UNIQUE KEY seen_messages_id (message_id),
                        KEY seen_messages_keep_until (keep_until)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE register_events (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        created_at DATETIME NOT NULL,
                        actor VARCHAR(16) NOT NULL,
                        event VARCHAR(32) NOT NULL,
                        agent_uuid CHAR(36) NULL,
                        token_id INT UNSIGNED NULL,
                        detail TEXT NULL
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                ],
            ],
            // A JSON inventory is kept as the agent compressed it (content_encoding says how):
            // a tenth of the bytes to write and keep, decoded on reading.
            3 => [
                'sqlite' => [
                    "ALTER TABLE inventories ADD COLUMN content_encoding TEXT NOT NULL DEFAULT 'none'",
                ],
                'mysql' => [
                    "ALTER TABLE inventories MODIFY content LONGBLOB NOT NULL,
                        ADD COLUMN content_encoding VARCHAR(16) NOT NULL DEFAULT 'none'",
                ],
            ],
            // Agents bound to the token they registered with; the first REGISTER message's
            // fields wait in its challenge until the answer proves the token; bounded
            // tables for what unauthenticated peers leave (failure events, GET-retry misses).
            // Pending challenges are short-lived and have no fields: they are dropped.
            // write_locks: one row per capped table, locked by its writers (MariaDB).
            4 => [
                'sqlite' => [
                    'ALTER TABLE agents ADD COLUMN token_id INTEGER NULL REFERENCES tokens (id)',
                    'UPDATE agents SET token_id = (SELECT k.token_id FROM agent_keys k WHERE k.agent_uuid = agents.agent_uuid)
                        WHERE agent_uuid IS NOT NULL',
                    'DELETE FROM register_challenges',
                    'ALTER TABLE register_challenges ADD COLUMN agent_fields TEXT NOT NULL DEFAULT \'{}\'',
                    'CREATE INDEX register_challenges_expires ON register_challenges (expires_at)',
                    'CREATE TABLE register_failures (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        created_at TEXT NOT NULL,
                        event TEXT NOT NULL,
                        agent_uuid TEXT NOT NULL,
                        token_id INTEGER NULL,
                        detail TEXT NULL
                    )',
                    'CREATE INDEX register_failures_agent ON register_failures (agent_uuid)',
                    'CREATE INDEX register_failures_created ON register_failures (created_at)',
                    'CREATE TABLE retry_misses (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        agent_uuid TEXT NOT NULL UNIQUE,
                        misses INTEGER NOT NULL,
                        window_until INTEGER NOT NULL
                    )',
                    'CREATE INDEX retry_misses_window ON retry_misses (window_until)',
                    'CREATE TABLE write_locks (name TEXT PRIMARY KEY)',
                    "INSERT INTO write_locks (name) VALUES ('register_challenges'), ('register_failures'), ('retry_misses')",
                ],
                'mysql' => [
                    'ALTER TABLE agents ADD COLUMN token_id INT UNSIGNED NULL,
                        ADD CONSTRAINT agents_token_fk FOREIGN KEY (token_id) REFERENCES tokens (id)',
                    'UPDATE agents a JOIN agent_keys k ON k.agent_uuid = a.agent_uuid SET a.token_id = k.token_id',
                    'DELETE FROM register_challenges',
                    'ALTER TABLE register_challenges ADD COLUMN agent_fields TEXT NOT NULL,
                        ADD KEY register_challenges_expires (expires_at)',
                    'CREATE TABLE register_failures (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        created_at DATETIME NOT NULL,
                        event VARCHAR(32) NOT NULL,
                        agent_uuid CHAR(36) NOT NULL,
                        token_id INT UNSIGNED NULL,
                        detail TEXT NULL,
                        KEY register_failures_agent (agent_uuid),
                        KEY register_failures_created (created_at)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE retry_misses (
                        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        agent_uuid CHAR(36) NOT NULL,
                        misses INT UNSIGNED NOT NULL,
                        window_until BIGINT NOT NULL,
                        UNIQUE KEY retry_misses_agent (agent_uuid),
                        KEY retry_misses_window (window_until)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'CREATE TABLE write_locks (name VARCHAR(64) NOT NULL PRIMARY KEY) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    "INSERT INTO write_locks (name) VALUES ('register_challenges'), ('register_failures'), ('retry_misses')",
                ],
            ],
            // One value wrapped under the KEK (class Kek): a missing or wrong KEK file is
            // told apart from a store that never had one, and refused instead of replaced.
            5 => [
                'sqlite' => [
                    'CREATE TABLE kek_check (id INTEGER PRIMARY KEY CHECK (id = 1), wrapped_check TEXT NOT NULL, created_at TEXT NOT NULL)',
                ],
                'mysql' => [
                    'CREATE TABLE kek_check (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, wrapped_check VARCHAR(64) NOT NULL,
                        created_at DATETIME NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                ],
            ],
            // Client certificates (ClientCertificates): each one issued or revoked, the
            // request an agent sent with REGISTER until its challenge is answered, and the
            // certificate an agent last presented.
            6 => [
                'sqlite' => [
                    'CREATE TABLE client_certificates (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        serial TEXT NOT NULL UNIQUE,
                        agent_uuid TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        key_type TEXT NULL,
                        source TEXT NOT NULL,
                        issued_at TEXT NOT NULL,
                        not_after TEXT NOT NULL,
                        revoked_at TEXT NULL
                    )',
                    'CREATE INDEX client_certificates_agent ON client_certificates (agent_uuid)',
                    'ALTER TABLE agents ADD COLUMN cert_serial TEXT NULL',
                    'ALTER TABLE agents ADD COLUMN cert_expires TEXT NULL',
                ],
                'mysql' => [
                    'CREATE TABLE client_certificates (
                        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                        serial VARCHAR(48) NOT NULL,
                        agent_uuid CHAR(36) NOT NULL,
                        fingerprint VARCHAR(80) NOT NULL,
                        key_type VARCHAR(16) NULL,
                        source VARCHAR(16) NOT NULL,
                        issued_at DATETIME NOT NULL,
                        not_after DATETIME NOT NULL,
                        revoked_at DATETIME NULL,
                        UNIQUE KEY client_certificates_serial (serial),
                        KEY client_certificates_agent (agent_uuid)
                    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
                    'ALTER TABLE agents ADD COLUMN cert_serial VARCHAR(48) NULL, ADD COLUMN cert_expires DATETIME NULL',
                ],
            ],
            // Lenient validation: what was removed from an inventory (a JSON list of
            // pointer, keyword, message), and the inventory exactly as the agent sent it,
            // kept beside the salvaged one so that an operator can recover everything.
            7 => [
                'sqlite' => [
                    'ALTER TABLE inventories ADD COLUMN dropped_count INTEGER NOT NULL DEFAULT 0',
                    'ALTER TABLE inventories ADD COLUMN dropped TEXT NULL',
                    'ALTER TABLE inventories ADD COLUMN original BLOB NULL',
                    "ALTER TABLE inventories ADD COLUMN original_encoding TEXT NOT NULL DEFAULT 'none'",
                ],
                'mysql' => [
                    "ALTER TABLE inventories ADD COLUMN dropped_count INT UNSIGNED NOT NULL DEFAULT 0,
                        ADD COLUMN dropped MEDIUMTEXT NULL,
                        ADD COLUMN original LONGBLOB NULL,
                        ADD COLUMN original_encoding VARCHAR(16) NOT NULL DEFAULT 'none'",
                ],
            ],
            // A legacy XML inventory is kept as received and as the JSON inventory it
            // converts to, so that every inventory can be read in the one format.
            8 => [
                'sqlite' => [
                    'ALTER TABLE inventories ADD COLUMN converted_json TEXT NULL',
                ],
                'mysql' => [
                    'ALTER TABLE inventories ADD COLUMN converted_json LONGTEXT NULL',
                ],
            ],
        ];
    }

    /**
     * Applies every step not yet recorded, each in its own transaction where the database
     * allows it (MariaDB commits DDL implicitly, hence the version row written last).
     *
     * @return list<int> the versions applied now
     */
    public static function migrate(PDO $pdo): array
    {
        $driver = self::driver($pdo);
        $pdo->exec(
            $driver === 'sqlite'
                ? 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)'
                : 'CREATE TABLE IF NOT EXISTS schema_migrations (version INT UNSIGNED NOT NULL PRIMARY KEY, applied_at DATETIME NOT NULL) ENGINE=InnoDB'
        );
        $done = array_map('intval', $pdo->query('SELECT version FROM schema_migrations')->fetchAll(PDO::FETCH_COLUMN));
        $applied = [];
        foreach (self::steps() as $version => $sql) {
            if (in_array($version, $done, true)) {
                continue;
            }
            if ($driver === 'sqlite') {
                $pdo->exec('BEGIN IMMEDIATE');
            }
            try {
                foreach ($sql[$driver] as $statement) {
                    $pdo->exec($statement);
                }
                $stmt = $pdo->prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
                $stmt->execute([$version, gmdate('Y-m-d H:i:s')]);
                if ($driver === 'sqlite') {
                    $pdo->exec('COMMIT');
                }
            } catch (\Throwable $e) {
                if ($driver === 'sqlite') {
                    $pdo->exec('ROLLBACK');
                }
                throw $e;
            }
            $applied[] = $version;
        }
        return $applied;
    }

    public static function current(PDO $pdo): int
    {
        try {
            return (int) $pdo->query('SELECT MAX(version) FROM schema_migrations')->fetchColumn();
        } catch (\PDOException) {
            return 0;
        }
    }

    public static function latest(): int
    {
        return max(array_keys(self::steps()));
    }

    public static function driver(PDO $pdo): string
    {
        $driver = $pdo->getAttribute(PDO::ATTR_DRIVER_NAME);
        if ($driver !== 'sqlite' && $driver !== 'mysql') {
            throw new \UnexpectedValueException("unsupported PDO driver '$driver' (sqlite or mysql)");
        }
        return $driver;
    }
}
