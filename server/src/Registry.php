<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use PDO;
use PDOException;

use function GlpiAgentProtocol\unwrap_key;
use function GlpiAgentProtocol\wrap_key;

/**
 * What REGISTER keeps in the store: tokens and session keys wrapped under the KEK, pending
 * challenges, ids of encrypted messages already seen, agents' approval and the audit log.
 * Callers run these inside Store::transaction() when they change anything.
 */
final class Registry
{
    /** Approval states of agents (agents.approval); null means none was ever needed. */
    public const AWAITING = 'awaiting';
    public const APPROVED = 'approved';
    public const REJECTED = 'rejected';

    private PDO $pdo;

    /** @param \Closure(): string $kek gives the KEK, read on first need only */
    public function __construct(private Store $store, private \Closure $kek)
    {
        $this->pdo = $store->pdo();
    }

    public function store(): Store
    {
        return $this->store;
    }

    // Tokens ----------------------------------------------------------------------------

    /** Stores a new token wrapped under the KEK and returns its id. */
    public function addToken(string $token, ?string $tag, ?string $comment): int
    {
        $this->pdo->prepare('INSERT INTO tokens (wrapped_token, tag, comment, created_at) VALUES (?, ?, ?, ?)')
            ->execute([self::wrap(self::uuidBytes($token), ($this->kek)()), self::blankToNull($tag), self::blankToNull($comment), Store::now()]);
        return (int) $this->pdo->lastInsertId();
    }

    /**
     * The token a registering agent is challenged with: the newest active token for its
     * tag, else the newest active token without tag.
     *
     * @return array{id: int, token: string}|array{error: string}
     */
    public function tokenFor(?string $tag): array
    {
        $tag = self::blankToNull($tag);
        $rows = $this->pdo->query('SELECT id, wrapped_token, tag FROM tokens WHERE revoked_at IS NULL ORDER BY id DESC')->fetchAll();
        if ($rows === []) {
            return ['error' => 'no token'];
        }
        $chosen = null;
        foreach ($rows as $row) {
            if ($tag !== null && $row['tag'] !== null && $row['tag'] === $tag) {
                $chosen = $row;
                break;
            }
        }
        if ($chosen === null) {
            foreach ($rows as $row) {
                if ($row['tag'] === null) {
                    $chosen = $row;
                    break;
                }
            }
        }
        if ($chosen === null) {
            return ['error' => 'tag mismatch'];
        }
        return ['id' => (int) $chosen['id'], 'token' => $this->tokenText($chosen['wrapped_token'])];
    }

    /** The token of an active token row, or null when it is revoked or unknown. */
    public function activeToken(int $id): ?string
    {
        $stmt = $this->pdo->prepare('SELECT wrapped_token FROM tokens WHERE id = ? AND revoked_at IS NULL');
        $stmt->execute([$id]);
        $wrapped = $stmt->fetchColumn();
        return $wrapped === false ? null : $this->tokenText((string) $wrapped);
    }

    /**
     * Token rows without the token itself, with how many keys each issued.
     *
     * @return list<array<string, mixed>>
     */
    public function tokens(): array
    {
        $now = Store::now();
        $stmt = $this->pdo->prepare(
            'SELECT t.id, t.tag, t.comment, t.created_at, t.revoked_at,
                    (SELECT COUNT(*) FROM agent_keys k WHERE k.token_id = t.id) AS keys_issued,
                    (SELECT COUNT(*) FROM agent_keys k WHERE k.token_id = t.id AND k.revoked_at IS NULL
                        AND k.renew_required = 0 AND k.expires_at > ?) AS keys_active
             FROM tokens t ORDER BY t.id'
        );
        $stmt->execute([$now]);
        return $stmt->fetchAll();
    }

    /** Revokes a token, every key issued under it and its pending challenges. False if unknown or already revoked. */
    public function revokeToken(int $id): bool
    {
        $now = Store::now();
        $stmt = $this->pdo->prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
        $stmt->execute([$now, $id]);
        if ($stmt->rowCount() === 0) {
            return false;
        }
        $this->pdo->prepare('UPDATE agent_keys SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL')->execute([$now, $id]);
        $this->pdo->prepare('DELETE FROM register_challenges WHERE token_id = ?')->execute([$id]);
        return true;
    }

    // Challenges ------------------------------------------------------------------------

    public function replaceChallenge(string $agentUuid, int $tokenId, string $stateId, string $state, int $maxAge): void
    {
        $this->pdo->prepare('DELETE FROM register_challenges WHERE agent_uuid = ?')->execute([$agentUuid]);
        $now = time();
        $this->pdo->prepare('INSERT INTO register_challenges (state_id, agent_uuid, token_id, state, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([$stateId, $agentUuid, $tokenId, $state, gmdate('Y-m-d H:i:s', $now), gmdate('Y-m-d H:i:s', $now + $maxAge)]);
    }

    /**
     * Loads and deletes the agent's pending challenge: a state is verified at most once.
     * The delete decides, not the read: two instances answering the same challenge at once
     * both read it (MariaDB's consistent read), but only one of them deletes it.
     *
     * @return array{token_id: int, state: string, expires_at: string}|null
     */
    public function takeChallenge(string $agentUuid): ?array
    {
        $stmt = $this->pdo->prepare('SELECT id, token_id, state, expires_at FROM register_challenges WHERE agent_uuid = ? ORDER BY id DESC');
        $stmt->execute([$agentUuid]);
        $rows = $stmt->fetchAll();
        if ($rows === []) {
            return null;
        }
        $taken = $this->pdo->prepare('DELETE FROM register_challenges WHERE id = ?');
        $taken->execute([$rows[0]['id']]);
        $this->pdo->prepare('DELETE FROM register_challenges WHERE agent_uuid = ?')->execute([$agentUuid]);
        if ($taken->rowCount() !== 1) {
            // Another request took it between the read and the delete.
            return null;
        }
        return ['token_id' => (int) $rows[0]['token_id'], 'state' => (string) $rows[0]['state'], 'expires_at' => (string) $rows[0]['expires_at']];
    }

    // Keys ------------------------------------------------------------------------------

    /** Makes $key the agent's only key. */
    public function issueKey(string $agentUuid, int $tokenId, string $key, int $lifetime): string
    {
        $now = time();
        $expires = gmdate('Y-m-d H:i:s', $now + $lifetime);
        $this->pdo->prepare('DELETE FROM agent_keys WHERE agent_uuid = ?')->execute([$agentUuid]);
        $this->pdo->prepare('INSERT INTO agent_keys (agent_uuid, token_id, wrapped_key, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)')
            ->execute([$agentUuid, $tokenId, self::wrap($key, ($this->kek)()), gmdate('Y-m-d H:i:s', $now), $expires]);
        return $expires;
    }

    /** @return array<string, mixed>|null the agent's key row (wrapped key included) */
    public function keyRow(string $agentUuid): ?array
    {
        $stmt = $this->pdo->prepare('SELECT * FROM agent_keys WHERE agent_uuid = ?');
        $stmt->execute([$agentUuid]);
        $row = $stmt->fetch();
        return $row === false ? null : $row;
    }

    /** 'active', 'revoked', 'expired' (past expires_at or flagged for re-registration), or 'none'. */
    public static function keyState(?array $row): string
    {
        if ($row === null) {
            return 'none';
        }
        if ($row['revoked_at'] !== null) {
            return 'revoked';
        }
        if ((int) $row['renew_required'] !== 0 || (string) $row['expires_at'] <= Store::now()) {
            return 'expired';
        }
        return 'active';
    }

    /** An agent with an active key that no operator rejected: it may be served. */
    public function isRegistered(string $agentUuid): bool
    {
        return $this->approval($agentUuid) !== self::REJECTED && self::keyState($this->keyRow($agentUuid)) === 'active';
    }

    /** The 16-byte session key of a key row. */
    public function unwrapKey(array $row): string
    {
        return unwrap_key((string) hex2bin((string) $row['wrapped_key']), ($this->kek)());
    }

    public function revokeKey(string $agentUuid): bool
    {
        $stmt = $this->pdo->prepare('UPDATE agent_keys SET revoked_at = ? WHERE agent_uuid = ? AND revoked_at IS NULL');
        $stmt->execute([Store::now(), $agentUuid]);
        return $stmt->rowCount() > 0;
    }

    public function forceRegister(string $agentUuid): bool
    {
        $stmt = $this->pdo->prepare('UPDATE agent_keys SET renew_required = 1 WHERE agent_uuid = ? AND revoked_at IS NULL AND renew_required = 0');
        $stmt->execute([$agentUuid]);
        return $stmt->rowCount() > 0;
    }

    // Replays ---------------------------------------------------------------------------

    /** Records an encrypted message's id; false when it was seen before. */
    public function recordMessage(string $messageId, string $agentUuid, int $keepUntil): bool
    {
        try {
            $this->pdo->prepare('INSERT INTO seen_messages (message_id, agent_uuid, keep_until) VALUES (?, ?, ?)')
                ->execute([$messageId, $agentUuid, $keepUntil]);
            return true;
        } catch (PDOException $e) {
            if ($e->getCode() === '23000') {
                return false;
            }
            throw $e;
        }
    }

    // Agents ----------------------------------------------------------------------------

    public function approval(string $agentUuid): ?string
    {
        $stmt = $this->pdo->prepare('SELECT approval FROM agents WHERE agent_uuid = ?');
        $stmt->execute([$agentUuid]);
        $v = $stmt->fetchColumn();
        return $v === false || $v === null ? null : (string) $v;
    }

    /** False when no such agent is known. */
    public function setApproval(string $agentUuid, ?string $approval): bool
    {
        $stmt = $this->pdo->prepare('SELECT id FROM agents WHERE agent_uuid = ?');
        $stmt->execute([$agentUuid]);
        $id = $stmt->fetchColumn();
        if ($id === false) {
            return false;
        }
        $this->pdo->prepare('UPDATE agents SET approval = ? WHERE id = ?')->execute([$approval, (int) $id]);
        return true;
    }

    /** @return list<array<string, mixed>> agents with their key's dates, never the key */
    public function agents(): array
    {
        return $this->pdo->query(
            'SELECT a.agent_uuid, a.device_id, a.name, a.tag, a.approval, a.last_contact,
                    k.token_id, k.issued_at, k.expires_at, k.revoked_at, k.renew_required
             FROM agents a LEFT JOIN agent_keys k ON k.agent_uuid = a.agent_uuid
             WHERE a.agent_uuid IS NOT NULL ORDER BY a.id'
        )->fetchAll();
    }

    // Audit and cleanup -----------------------------------------------------------------

    public function audit(string $actor, string $event, ?string $agentUuid = null, ?int $tokenId = null, ?string $detail = null): void
    {
        if ($detail !== null && mb_strlen($detail, 'UTF-8') > 500) {
            $detail = mb_substr($detail, 0, 500, 'UTF-8');
        }
        $this->pdo->prepare('INSERT INTO register_events (created_at, actor, event, agent_uuid, token_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
            ->execute([Store::now(), $actor, $event, $agentUuid, $tokenId, $detail]);
    }

    /** @return list<array<string, mixed>> newest last */
    public function events(int $limit): array
    {
        $stmt = $this->pdo->prepare('SELECT * FROM register_events ORDER BY id DESC LIMIT ' . max(1, $limit));
        $stmt->execute();
        return array_reverse($stmt->fetchAll());
    }

    /**
     * Deletes expired challenges, expired or revoked keys and replay ids past keep_until.
     *
     * @return array{challenges: int, keys: int, messages: int}
     */
    public function cleanup(): array
    {
        $now = Store::now();
        $stmt = $this->pdo->prepare('DELETE FROM register_challenges WHERE expires_at < ?');
        $stmt->execute([$now]);
        $challenges = $stmt->rowCount();
        $stmt = $this->pdo->prepare('DELETE FROM agent_keys WHERE revoked_at IS NOT NULL OR expires_at < ?');
        $stmt->execute([$now]);
        $keys = $stmt->rowCount();
        $stmt = $this->pdo->prepare('DELETE FROM seen_messages WHERE keep_until < ?');
        $stmt->execute([time()]);
        return ['challenges' => $challenges, 'keys' => $keys, 'messages' => $stmt->rowCount()];
    }

    // Helpers ---------------------------------------------------------------------------

    private function tokenText(string $wrapped): string
    {
        $hex = bin2hex(unwrap_key((string) hex2bin($wrapped), ($this->kek)()));
        return sprintf('%s-%s-%s-%s-%s', substr($hex, 0, 8), substr($hex, 8, 4), substr($hex, 12, 4), substr($hex, 16, 4), substr($hex, 20));
    }

    private static function wrap(string $key, string $kek): string
    {
        return bin2hex(wrap_key($key, $kek));
    }

    private static function uuidBytes(string $uuid): string
    {
        if (!preg_match(Wire::UUID, $uuid)) {
            throw new \ValueError('a token is a UUID string');
        }
        return (string) hex2bin(str_replace('-', '', $uuid));
    }

    private static function blankToNull(?string $v): ?string
    {
        return $v === null || $v === '' ? null : $v;
    }
}
