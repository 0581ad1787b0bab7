<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use PDO;
use PDOException;

use function GlpiAgentProtocol\decompress;

/**
 * What agents send, kept through PDO: SQLite by default, MariaDB/MySQL by DSN.
 * Every write of one request goes through transaction(), so a request either lands whole
 * or not at all.
 */
final class Store
{
    private const JSON_FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR;

    /** Columns of agents a request may set, beside the keys. */
    private const AGENT_FIELDS = [
        'name', 'version', 'tag', 'installed_tasks', 'enabled_tasks', 'httpd_port',
        'httpd_plugins', 'proxy_chain', 'user_agent', 'remote_addr',
    ];

    private PDO $pdo;
    private string $driver;
    /** @var string|null lock file that serializes SQLite writers of this database */
    private ?string $lockFile = null;
    /** @var resource|null */
    private $lock = null;
    private ?string $walFile = null;

    /** Size of the SQLite write-ahead log past which a request checkpoints it (SQLite's own default). */
    private const CHECKPOINT_BYTES = 4 << 20;

    public function __construct(PDO $pdo)
    {
        $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $pdo->setAttribute(PDO::ATTR_DEFAULT_FETCH_MODE, PDO::FETCH_ASSOC);
        $this->pdo = $pdo;
        $this->driver = Migrations::driver($pdo);
    }

    /**
     * @param bool $persistent keep the connection open across requests of one PHP worker.
     *        Besides saving the connect, this matters for SQLite in WAL mode: the last
     *        connection to close checkpoints the log and syncs the file, which would cost
     *        every request a few disk flushes.
     */
    public static function connect(string $dsn, ?string $user = null, ?string $password = null, bool $persistent = false): self
    {
        $options = [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_PERSISTENT => $persistent];
        if (str_starts_with($dsn, 'sqlite:')) {
            $path = substr($dsn, 7);
            if ($path !== '' && $path !== ':memory:') {
                // SQLite gives its -wal and -shm files the mode of the database file, so
                // creating that one private keeps all three private.
                PrivateFile::mkdir(dirname($path));
                PrivateFile::create($path);
            }
            // Seconds to wait for another writer before giving up (SQLITE_BUSY).
            $options[PDO::ATTR_TIMEOUT] = 10;
        } else {
            $options[PDO::ATTR_EMULATE_PREPARES] = false;
        }
        $pdo = new PDO($dsn, $user, $password, $options);
        if ($persistent) {
            // A request that died inside a transaction (memory limit, timeout) must not
            // leave it open on the connection the next request inherits.
            try {
                $pdo->exec('ROLLBACK');
            } catch (PDOException) {
                // No transaction was open: the usual case.
            }
        }
        if ($pdo->getAttribute(PDO::ATTR_DRIVER_NAME) === 'sqlite') {
            // WAL lets readers run beside the one writer; NORMAL syncs at checkpoints only,
            // which keeps every committed transaction across a process crash.
            $pdo->exec('PRAGMA journal_mode = WAL');
            $pdo->exec('PRAGMA synchronous = NORMAL');
            $pdo->exec('PRAGMA foreign_keys = ON');
        } elseif ($pdo->getAttribute(PDO::ATTR_DRIVER_NAME) === 'mysql') {
            $pdo->exec("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'");
        }
        $store = new self($pdo);
        if ($store->driver === 'sqlite' && isset($path) && $path !== '' && $path !== ':memory:') {
            $store->lockFile = $path . '.lock';
            $store->walFile = $path . '-wal';
            // Checkpoints run after the writer lock is released (see transaction()): the
            // automatic one runs inside COMMIT and would hold every other writer through
            // its disk flushes.
            $pdo->exec('PRAGMA wal_autocheckpoint = 0');
            // Once checkpointed, the log restarts from its beginning and is cut back to this
            // size, so that its size on disk tells when the next checkpoint is due.
            $pdo->exec('PRAGMA journal_size_limit = ' . self::CHECKPOINT_BYTES);
        }
        return $store;
    }

    public function pdo(): PDO
    {
        return $this->pdo;
    }

    public function driver(): string
    {
        return $this->driver;
    }

    public function isMigrated(): bool
    {
        return Migrations::current($this->pdo) >= Migrations::latest();
    }

    /**
     * Runs $fn inside one transaction: committed if it returns, rolled back if it throws.
     * SQLite takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
     * reads and then writes can fail at once when another process wrote in between.
     *
     * @template T
     * @param callable(self): T $fn
     * @return T
     */
    public function transaction(callable $fn): mixed
    {
        if ($this->driver === 'sqlite') {
            $this->lockWriters();
            try {
                $this->pdo->exec('BEGIN IMMEDIATE');
            } catch (\Throwable $e) {
                $this->unlockWriters();
                throw $e;
            }
        } else {
            $this->pdo->beginTransaction();
        }
        try {
            $result = $fn($this);
            if ($this->driver === 'sqlite') {
                $this->pdo->exec('COMMIT');
            } else {
                $this->pdo->commit();
            }
        } catch (\Throwable $e) {
            try {
                if ($this->driver === 'sqlite') {
                    $this->pdo->exec('ROLLBACK');
                } elseif ($this->pdo->inTransaction()) {
                    $this->pdo->rollBack();
                }
            } catch (PDOException) {
                // The connection may be gone; the first error is the one worth reporting.
            }
            throw $e;
        } finally {
            $this->unlockWriters();
        }
        $this->checkpoint();
        return $result;
    }

    /**
     * Copies the SQLite log into the database once it is large, outside the writer lock.
     * PASSIVE never waits for other connections; a checkpoint that cannot finish now is
     * finished by a later request.
     */
    private function checkpoint(): void
    {
        if ($this->walFile === null) {
            return;
        }
        clearstatcache(true, $this->walFile);
        if (@filesize($this->walFile) > self::CHECKPOINT_BYTES) {
            try {
                $this->pdo->query('PRAGMA wal_checkpoint(PASSIVE)')->closeCursor();
            } catch (PDOException) {
                // Busy: the next request tries again.
            }
        }
    }

    /**
     * SQLite lets one writer in at a time and makes the others poll with growing sleeps
     * (up to 100 ms each), which under concurrent requests turns into seconds of tail
     * latency. Queuing writers on an exclusive flock() instead wakes the next one as soon
     * as the previous commits. Without a usable lock file, SQLite's own waiting still
     * applies.
     */
    private function lockWriters(): void
    {
        if ($this->lockFile === null) {
            return;
        }
        $this->lock ??= PrivateFile::openForLock($this->lockFile) ?: null;
        if ($this->lock === null || !flock($this->lock, LOCK_EX)) {
            $this->lockFile = null;
            $this->lock = null;
        }
    }

    private function unlockWriters(): void
    {
        if ($this->lock !== null) {
            flock($this->lock, LOCK_UN);
        }
    }

    /**
     * Inside a transaction, waits until no other transaction writes the capped table
     * $table (a row of write_locks), so that counting its rows and inserting one is exact.
     * SQLite needs nothing: its writers already take turns (BEGIN IMMEDIATE).
     */
    public function lockCappedTable(string $table): void
    {
        if ($this->driver === 'mysql') {
            $stmt = $this->pdo->prepare('SELECT name FROM write_locks WHERE name = ? FOR UPDATE');
            $stmt->execute([$table]);
            $stmt->fetchAll();
        }
    }

    /**
     * What ends a SELECT that must see the rows committed by others up to now rather than
     * the transaction's snapshot (MariaDB's repeatable read): after lockCappedTable(), the
     * count of a capped table. SQLite's one writer always sees the latest rows.
     */
    public function currentRead(): string
    {
        return $this->driver === 'mysql' ? ' LOCK IN SHARE MODE' : '';
    }

    public static function now(): string
    {
        return gmdate('Y-m-d H:i:s');
    }

    /**
     * Creates or updates the agent a request comes from and returns its row id.
     * Known by GLPI-Agent-ID when the request has one, else by device id (legacy agents).
     * Fields left out or null keep their stored value.
     *
     * @param array{agent_uuid?: ?string, device_id: string, action: string, now?: string,
     *              name?: ?string, version?: ?string, tag?: ?string,
     *              installed_tasks?: ?array, enabled_tasks?: ?array, httpd_port?: ?int,
     *              httpd_plugins?: mixed, proxy_chain?: ?array, user_agent?: ?string,
     *              remote_addr?: ?string} $agent
     */
    public function touchAgent(array $agent): int
    {
        $uuid = $agent['agent_uuid'] ?? null;
        $now = $agent['now'] ?? self::now();
        $set = ['device_id' => $agent['device_id'], 'last_action' => $agent['action'], 'last_contact' => $now];
        foreach (self::AGENT_FIELDS as $field) {
            if (!array_key_exists($field, $agent) || $agent[$field] === null) {
                continue;
            }
            $value = $agent[$field];
            $set[$field] = match ($field) {
                'installed_tasks', 'enabled_tasks', 'httpd_plugins' => json_encode($value, self::JSON_FLAGS),
                'proxy_chain' => implode(',', $value),
                'httpd_port' => (int) $value,
                default => self::clip((string) $value),
            };
        }

        $id = $this->findAgent($uuid, $agent['device_id']);
        if ($id === null) {
            $insert = $set + ['agent_uuid' => $uuid, 'first_seen' => $now];
            try {
                return $this->insert('agents', $insert);
            } catch (PDOException $e) {
                // Two first requests of one agent at once: the other one inserted it.
                if ($uuid === null || $e->getCode() !== '23000') {
                    throw $e;
                }
                $id = $this->findAgent($uuid, $agent['device_id']);
                if ($id === null) {
                    throw $e;
                }
            }
        }
        if ($uuid !== null) {
            $set['agent_uuid'] = $uuid;
        }
        $this->update('agents', $id, $set);
        return $id;
    }

    private function findAgent(?string $uuid, string $deviceId): ?int
    {
        if ($uuid !== null) {
            $stmt = $this->pdo->prepare('SELECT id FROM agents WHERE agent_uuid = ?');
            $stmt->execute([$uuid]);
            $id = $stmt->fetchColumn();
            if ($id !== false) {
                return (int) $id;
            }
            // A legacy agent seen before it sent GLPI-Agent-ID: adopt its row.
            $stmt = $this->pdo->prepare('SELECT id FROM agents WHERE device_id = ? AND agent_uuid IS NULL ORDER BY id DESC LIMIT 1');
            $stmt->execute([$deviceId]);
        } else {
            $stmt = $this->pdo->prepare('SELECT id FROM agents WHERE device_id = ? ORDER BY last_contact DESC, id DESC LIMIT 1');
            $stmt->execute([$deviceId]);
        }
        $id = $stmt->fetchColumn();
        return $id === false ? null : (int) $id;
    }

    /**
     * @param array{action: string, itemtype: string, device_id: string, request_id?: ?string,
     *              partial?: bool, format: string, compression: string, raw_size: int,
     *              decoded_size: int, decode_us: int, content: string, content_encoding?: string,
     *              received_at?: string, dropped?: list<array{pointer: string, keyword: string, message: string}>,
     *              original?: string, original_encoding?: string} $inventory content as sent when
     *              content_encoding names its compression (none, zlib, gzip, deflate, br), else the
     *              text itself; with dropped, content is the salvaged inventory and original the
     *              one the agent sent (encoded as original_encoding says)
     */
    public function addInventory(int $agentId, array $inventory): int
    {
        $row = [
            'agent_id' => $agentId,
            'action' => $inventory['action'],
            'itemtype' => self::clip($inventory['itemtype'], 64),
            'device_id' => self::clip($inventory['device_id']),
            'request_id' => $inventory['request_id'] ?? null,
            'partial' => empty($inventory['partial']) ? 0 : 1,
            'format' => $inventory['format'],
            'compression' => $inventory['compression'],
            'raw_size' => $inventory['raw_size'],
            'decoded_size' => $inventory['decoded_size'],
            'decode_us' => $inventory['decode_us'],
            'received_at' => $inventory['received_at'] ?? self::now(),
            'content' => $inventory['content'],
            'content_encoding' => $inventory['content_encoding'] ?? 'none',
            'converted_json' => $inventory['converted_json'] ?? null,
        ];
        if (!empty($inventory['dropped'])) {
            // Lenient validation removed parts: the list, and the inventory as sent.
            $row['dropped_count'] = count($inventory['dropped']);
            $row['dropped'] = json_encode($inventory['dropped'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
            $row['original'] = $inventory['original'];
            $row['original_encoding'] = $inventory['original_encoding'] ?? 'none';
        }
        return $this->insert('inventories', $row);
    }

    /**
     * Keeps the answer given to a request that carried GLPI-Request-ID, so that a GET retry
     * (spec 3.2.2) gets the same answer.
     */
    public function saveAnswer(string $agentUuid, string $requestId, string $action, int $status, string $contentType, string $answer): void
    {
        $stmt = $this->pdo->prepare('SELECT id FROM answers WHERE agent_uuid = ? AND request_id = ?');
        $stmt->execute([$agentUuid, $requestId]);
        $id = $stmt->fetchColumn();
        $row = [
            'agent_uuid' => $agentUuid, 'request_id' => $requestId, 'action' => $action,
            'http_status' => $status, 'content_type' => $contentType, 'answer' => $answer,
            'created_at' => self::now(),
        ];
        if ($id === false) {
            $this->insert('answers', $row);
        } else {
            $this->update('answers', (int) $id, $row);
        }
    }

    /** @return array{action: string, http_status: int, content_type: string, answer: string}|null */
    public function findAnswer(string $agentUuid, string $requestId): ?array
    {
        $stmt = $this->pdo->prepare('SELECT action, http_status, content_type, answer FROM answers WHERE agent_uuid = ? AND request_id = ?');
        $stmt->execute([$agentUuid, $requestId]);
        $row = $stmt->fetch();
        if ($row === false) {
            return null;
        }
        $row['http_status'] = (int) $row['http_status'];
        return $row;
    }

    /** @return array<string, mixed>|null */
    public function agent(int $id): ?array
    {
        $stmt = $this->pdo->prepare('SELECT * FROM agents WHERE id = ?');
        $stmt->execute([$id]);
        $row = $stmt->fetch();
        return $row === false ? null : self::decodeAgent($row);
    }

    /** @return array<string, mixed>|null */
    public function agentByUuid(string $uuid): ?array
    {
        $stmt = $this->pdo->prepare('SELECT * FROM agents WHERE agent_uuid = ?');
        $stmt->execute([$uuid]);
        $row = $stmt->fetch();
        return $row === false ? null : self::decodeAgent($row);
    }

    /** @return list<array<string, mixed>> */
    public function agents(): array
    {
        return array_map([self::class, 'decodeAgent'], $this->pdo->query('SELECT * FROM agents ORDER BY id')->fetchAll());
    }

    /**
     * Inventories without their content, newest last.
     *
     * @return list<array<string, mixed>>
     */
    public function inventories(int $afterId = 0): array
    {
        $stmt = $this->pdo->prepare(
            'SELECT i.id, i.agent_id, a.agent_uuid, i.device_id, i.action, i.itemtype, i.request_id, i.partial,
                    i.format, i.compression, i.raw_size, i.decoded_size, i.decode_us, i.received_at,
                    i.dropped_count, i.dropped,
                    LENGTH(i.converted_json) AS converted_size
             FROM inventories i JOIN agents a ON a.id = i.agent_id WHERE i.id > ? ORDER BY i.id'
        );
        $stmt->execute([$afterId]);
        return array_map(static function (array $r): array {
            foreach (['id', 'agent_id', 'partial', 'raw_size', 'decoded_size', 'decode_us', 'dropped_count'] as $k) {
                $r[$k] = (int) $r[$k];
            }
            $r['dropped'] = $r['dropped'] === null ? [] : json_decode((string) $r['dropped'], true);
            $r['converted_size'] = $r['converted_size'] === null ? null : (int) $r['converted_size'];
            return $r;
        }, $stmt->fetchAll());
    }

    /** The JSON inventory a stored XML inventory was converted to, or null. */
    public function inventoryConvertedJson(int $id): ?string
    {
        $stmt = $this->pdo->prepare('SELECT converted_json FROM inventories WHERE id = ?');
        $stmt->execute([$id]);
        $json = $stmt->fetchColumn();
        return $json === false || $json === null ? null : (string) $json;
    }

    /** The stored document, decoded: the JSON or XML text. */
    public function inventoryContent(int $id): ?string
    {
        $stmt = $this->pdo->prepare('SELECT content, content_encoding, decoded_size FROM inventories WHERE id = ?');
        $stmt->execute([$id]);
        $row = $stmt->fetch();
        if ($row === false) {
            return null;
        }
        $content = (string) $row['content'];
        if ($row['content_encoding'] === 'none') {
            return $content;
        }
        $encoding = (string) $row['content_encoding'];
        // Its decoded size is known: a stored stream that would inflate further is refused.
        $max = max(1, (int) $row['decoded_size']);
        try {
            return decompress($content, $encoding, $max);
        } catch (\GlpiAgentProtocol\ProtocolException $e) {
            // The baseline decodes with PHP's zlib, which lets pass a few streams the
            // extension refuses (a gzip trailer cut short): read those the same way.
            $plain = match ($encoding) {
                'zlib', 'gzip' => @zlib_decode($content, $max),
                'deflate' => @gzinflate($content, $max),
                default => false,
            };
            if ($plain === false) {
                throw $e;
            }
            return $plain;
        }
    }

    /** The inventory as the agent sent it, when lenient validation stored a salvaged one. */
    public function inventoryOriginal(int $id): ?string
    {
        $stmt = $this->pdo->prepare('SELECT original, original_encoding FROM inventories WHERE id = ?');
        $stmt->execute([$id]);
        $row = $stmt->fetch();
        if ($row === false || $row['original'] === null) {
            return null;
        }
        $original = (string) $row['original'];
        return $row['original_encoding'] === 'none' ? $original : decompress($original, (string) $row['original_encoding']);
    }

    public function lastInventoryId(): int
    {
        return (int) $this->pdo->query('SELECT COALESCE(MAX(id), 0) FROM inventories')->fetchColumn();
    }

    /**
     * Everything a request can change, for tests that check a refused request changed
     * nothing (contents reduced to their hash).
     *
     * @return array<string, list<array<string, mixed>>>
     */
    public function snapshot(): array
    {
        $inventories = $this->pdo->query('SELECT * FROM inventories ORDER BY id')->fetchAll();
        foreach ($inventories as &$row) {
            $row['content'] = hash('sha256', (string) $row['content']);
        }
        return [
            'agents' => $this->pdo->query('SELECT * FROM agents ORDER BY id')->fetchAll(),
            'inventories' => $inventories,
            'answers' => $this->pdo->query('SELECT * FROM answers ORDER BY id')->fetchAll(),
            'tokens' => $this->pdo->query('SELECT * FROM tokens ORDER BY id')->fetchAll(),
            'agent_keys' => $this->pdo->query('SELECT * FROM agent_keys ORDER BY id')->fetchAll(),
            'register_challenges' => $this->pdo->query('SELECT * FROM register_challenges ORDER BY id')->fetchAll(),
            'seen_messages' => $this->pdo->query('SELECT * FROM seen_messages ORDER BY id')->fetchAll(),
            'register_events' => $this->pdo->query('SELECT * FROM register_events ORDER BY id')->fetchAll(),
            'register_failures' => $this->pdo->query('SELECT * FROM register_failures ORDER BY id')->fetchAll(),
            'retry_misses' => $this->pdo->query('SELECT * FROM retry_misses ORDER BY id')->fetchAll(),
            'client_certificates' => $this->pdo->query('SELECT * FROM client_certificates ORDER BY id')->fetchAll(),
        ];
    }

    /** Empties every table (tests and benchmarks only). */
    public function purge(): void
    {
        $this->transaction(function (): void {
            foreach (['inventories', 'answers', 'agents', 'seen_messages', 'register_challenges', 'agent_keys', 'register_events', 'register_failures', 'retry_misses', 'tokens', 'kek_check', 'client_certificates'] as $table) {
                $this->pdo->exec("DELETE FROM $table");
            }
        });
    }

    /** @param array<string, mixed> $row */
    private static function decodeAgent(array $row): array
    {
        foreach (['installed_tasks', 'enabled_tasks', 'httpd_plugins'] as $k) {
            $row[$k] = $row[$k] === null ? null : json_decode((string) $row[$k], true, 512, JSON_THROW_ON_ERROR);
        }
        $row['proxy_chain'] = ($row['proxy_chain'] ?? '') === '' ? [] : explode(',', (string) $row['proxy_chain']);
        $row['id'] = (int) $row['id'];
        $row['httpd_port'] = $row['httpd_port'] === null ? null : (int) $row['httpd_port'];
        return $row;
    }

    /** @param array<string, mixed> $row */
    private function insert(string $table, array $row): int
    {
        $columns = array_keys($row);
        $sql = sprintf(
            'INSERT INTO %s (%s) VALUES (%s)',
            $table,
            implode(', ', $columns),
            implode(', ', array_fill(0, count($columns), '?'))
        );
        $this->pdo->prepare($sql)->execute(array_values($row));
        return (int) $this->pdo->lastInsertId();
    }

    /** @param array<string, mixed> $row */
    private function update(string $table, int $id, array $row): void
    {
        $assignments = implode(', ', array_map(static fn (string $c): string => "$c = ?", array_keys($row)));
        $this->pdo->prepare("UPDATE $table SET $assignments WHERE id = ?")->execute([...array_values($row), $id]);
    }

    /** Agent-supplied names are free text: keep them within the column size. */
    private static function clip(string $value, int $max = 255): string
    {
        return mb_strlen($value, 'UTF-8') > $max ? mb_substr($value, 0, $max, 'UTF-8') : $value;
    }
}
