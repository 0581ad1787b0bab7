<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterServer;

use function GlpiAgentProtocol\format_expiration;
use function GlpiAgentProtocol\parse_expiration;
use function GlpiAgentProtocol\register_message;

/**
 * REGISTER (spec chapter 6, docs/register.md) and the registration gate in front of every
 * other request when it is enabled: session keys found by GLPI-CryptoKey-ID, replays,
 * challenges and their answers, and the lazy cleanup of what expires.
 */
final class RegisterGate
{
    /** Seconds between two lazy cleanups of expired REGISTER rows. */
    private const CLEANUP_INTERVAL = 300;

    private ?string $kek = null;
    private FieldLimits $limits;

    /**
     * @param \Closure(): Store $store the request's store, opened on first use
     * @param \Closure(EndpointError, ?object): HttpReply $refuse the answer to a refusal,
     *        for refusals whose writes (a used-up challenge, an audit event) are kept
     */
    public function __construct(
        private Config $config,
        private \Closure $store,
        private Codec $codec,
        private \Closure $refuse,
    ) {
        $this->limits = new FieldLimits($config);
    }

    /** The endpoint's own token for a peer that may only register (not one of the extension's). */
    public const REGISTRATION_REQUIRED = 'registration required';

    /**
     * What a REGISTER message needs at most, a CSR member included: the body of a peer that
     * may only register is decoded within it.
     */
    public const REGISTER_MAX_BYTES = 65536;
    public const REGISTER_MAX_VALUES = 1024;

    /**
     * The refusal a request sent without a key gets for anything but REGISTER, decided from
     * its headers before its body is decoded: null when the agent may send plain requests
     * (registered, with require_encryption 0). A peer that gets a refusal here has its body
     * decoded only within REGISTER_MAX_BYTES and REGISTER_MAX_VALUES, so that no
     * unauthenticated body costs the process more than a REGISTER does.
     *
     * @param array<string, mixed> $headers
     */
    public function unsealedRefusal(array $headers): ?EndpointError
    {
        $agentId = strtolower(trim((string) Wire::header($headers, 'GLPI-Agent-ID')));
        if (!preg_match(Wire::UUID, $agentId)) {
            // Legacy agents cannot register; a malformed id is refused by the decoder.
            return $this->registerError(self::REGISTRATION_REQUIRED, 403);
        }
        try {
            $registered = $this->registry(($this->store)())->isRegistered($agentId);
        } catch (\PDOException $e) {
            throw EndpointError::busy($e);
        }
        if (!$registered) {
            return $this->registerError(self::REGISTRATION_REQUIRED, 403);
        }
        return $this->config->requireEncryption() ? $this->registerError(ProtocolException::ENCRYPTION_REQUIRED) : null;
    }

    /**
     * A GET retry (spec 3.2.2) is served to registered agents only.
     */
    public function admitRetry(string $agentId): void
    {
        if (!$this->registry(($this->store)())->isRegistered($agentId)) {
            throw $this->registerError(self::REGISTRATION_REQUIRED, 403);
        }
    }

    /**
     * The agent's session key for an encrypted body, found by GLPI-CryptoKey-ID before the
     * body is opened. Null when the request announces no key, or announces it in a form
     * Request::decode() refuses by itself (bad cryptokey id, bad agent id).
     *
     * @param array<string, mixed> $headers
     * @return array{row: array<string, mixed>, key: string}|null
     */
    public function sessionKey(array $headers): ?array
    {
        $keyId = Wire::header($headers, 'GLPI-CryptoKey-ID');
        $agentId = trim((string) Wire::header($headers, 'GLPI-Agent-ID'));
        if ($keyId === null || !preg_match(Wire::UUID, trim($keyId)) || !preg_match(Wire::UUID, $agentId)) {
            return null;
        }
        // Keys belong to the agents that registered them; this endpoint knows no proxy keys.
        if (strcasecmp(trim($keyId), $agentId) !== 0) {
            throw $this->registerError(ProtocolException::UNKNOWN_CRYPTO_KEY);
        }
        try {
            $registry = $this->registry(($this->store)());
            $row = $registry->keyRow(strtolower($agentId));
        } catch (\PDOException $e) {
            throw EndpointError::busy($e);
        }
        $this->checkKey($row);
        return ['row' => $row, 'key' => $registry->unwrapKey($row)];
    }

    /** Refuses a key row that is missing, revoked, expired or flagged for re-registration. */
    private function checkKey(?array $row): void
    {
        match (Registry::keyState($row)) {
            'active' => null,
            'expired' => throw $this->registerError(ProtocolException::KEY_EXPIRED),
            default => throw $this->registerError(ProtocolException::UNKNOWN_CRYPTO_KEY),
        };
    }

    /**
     * Inside the request's transaction: the key is still the agent's active one, and the
     * message id was never seen (recorded now, so a replay fails on the unique key).
     *
     * @param array{row: array<string, mixed>, key: string} $session
     */
    private function recordEncrypted(Registry $registry, object $request, array $session): void
    {
        $row = $registry->keyRow((string) $request->agentId());
        if ($row !== null && (int) $row['id'] !== (int) $session['row']['id']) {
            // Registered again meanwhile: the message was sealed under a key now gone.
            $row = null;
        }
        $this->checkKey($row);
        if (!$registry->recordMessage((string) $request->messageId(), (string) $request->agentId(), (int) $request->messageKeepUntil())) {
            throw $this->registerError(ProtocolException::REPLAYED_MESSAGE);
        }
    }

    /**
     * The registration gate for every request but REGISTER: a registered agent, and an
     * encrypted request when encryption is required.
     *
     * @param array{row: array<string, mixed>, key: string}|null $session
     */
    public function admit(Store $store, object $request, ?array $session): void
    {
        $agentId = $request->agentId();
        if ($agentId === null) {
            // Legacy agents cannot register.
            throw $this->registerError(self::REGISTRATION_REQUIRED, 403);
        }
        $registry = $this->registry($store);
        if ($session !== null) {
            // The key was found active, and is checked again here, in the transaction.
            $this->recordEncrypted($registry, $request, $session);
            if ($registry->approval($agentId) === Registry::REJECTED) {
                throw $this->registerError(self::REGISTRATION_REQUIRED, 403);
            }
            return;
        }
        if (!$registry->isRegistered($agentId)) {
            throw $this->registerError(self::REGISTRATION_REQUIRED, 403);
        }
        if ($this->config->requireEncryption()) {
            throw $this->registerError(ProtocolException::ENCRYPTION_REQUIRED);
        }
    }

    /**
     * REGISTER (spec 6.1): the first message gets a challenge under the agent's token, the
     * answer to it a session key (or, with manual approval, a wait), a failure an error.
     * An agent is bound to the token it registered with: while its key is active, only a
     * REGISTER sealed under that key is taken, and every later challenge is made under
     * that token until an operator moves the agent (tools/admin.php agent move).
     *
     * @param array<string, mixed> $context
     * @param array{row: array<string, mixed>, key: string}|null $session
     */
    public function register(Store $store, array $context, ?array $session): HttpReply
    {
        $request = $context['request'];
        $agentId = (string) $request->agentId();
        $registry = $this->registry($store);
        if ($session !== null) {
            $this->recordEncrypted($registry, $request, $session);
        } elseif ($this->config->requireEncryption() && Registry::keyState($registry->keyRow($agentId)) === 'active') {
            // Spec 6.1.2: a registered agent's REGISTER is encrypted until its key expires.
            throw $this->registerError(ProtocolException::ENCRYPTION_REQUIRED);
        }
        try {
            $message = register_message($context['content']);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
        return match ($message['type']) {
            'register' => $this->challenge($registry, $context, $message),
            default => $this->answer($registry, $context, $message),
        };
    }

    /**
     * The first message: a challenge and the message's agent fields are stored, nothing
     * else; the agent's row is written once the answer proved the token.
     *
     * @param array<string, mixed> $context
     * @param array<string, mixed> $message
     */
    private function challenge(Registry $registry, array $context, array $message): HttpReply
    {
        $request = $context['request'];
        $agentId = (string) $request->agentId();
        $this->limits->check(['deviceid' => $message['deviceid'], 'name' => $message['name'], 'version' => $message['version'], 'tag' => $message['tag']]);
        if ($registry->approval($agentId) === Registry::REJECTED) {
            throw $this->registerError(ProtocolException::FORBIDDEN);
        }
        $bound = $registry->boundToken($agentId);
        if ($bound !== null) {
            $token = $registry->activeToken($bound);
            // The agent's token was revoked: an operator moves it to another one.
            $chosen = $token === null ? ['error' => 'no token'] : ['id' => $bound, 'token' => $token];
        } else {
            $chosen = $registry->tokenFor($message['tag']);
        }
        if (isset($chosen['error'])) {
            throw $this->registerError($chosen['error'], 403);
        }
        $maxAge = $this->config->challengeMaxAge();
        $challenge = RegisterServer::challenge($chosen['token'], $agentId);
        $fields = [
            'device_id' => $message['deviceid'],
            'name' => $message['name'],
            'version' => $message['version'],
            'tag' => $message['tag'],
            'httpd_port' => $message['port'],
            'proxy_chain' => $request->proxyIds(),
            'user_agent' => $context['user_agent'],
            'remote_addr' => $context['remote_addr'],
            // Issued only once the token is proven (ClientCertificates::enroll()).
            'csr' => $message['csr'] ?? null,
        ];
        if (!$registry->addChallenge($agentId, $chosen['id'], $challenge, $maxAge, $fields, $this->config->get('challenges_per_agent'), $this->config->get('max_unauthenticated_rows'))) {
            // Until the pending challenges expire.
            throw EndpointError::register(429, 'too many requests', format_expiration($maxAge));
        }
        return $this->codec->answer($request, [
            'status' => 'pending',
            'needs' => 'token-validation',
            'expiration' => format_expiration($maxAge),
            'challenge' => $challenge['challenge'],
        ]);
    }

    /**
     * The answer to a challenge, tried against each of the agent's pending challenges.
     * The one it verifies against is used up with every other; a wrong answer uses up
     * none (guessing one is a 2^-64 chance), so that nobody can cancel an agent's
     * challenge, and is kept in the bounded failure table.
     *
     * @param array<string, mixed> $context
     * @param array<string, mixed> $message
     */
    private function answer(Registry $registry, array $context, array $message): HttpReply
    {
        $request = $context['request'];
        $agentId = (string) $request->agentId();
        $pending = $registry->challenges($agentId);
        if ($pending === []) {
            throw $this->registerError(ProtocolException::CHALLENGE_FAILED);
        }
        if ($message['type'] === 'failure') {
            $this->limits->check(['reason' => $message['reason']]);
            return $this->failed($registry, $request, 'agent-failure', $pending[0]['token_id'], 'agent says: ' . $message['reason']);
        }
        $maxAge = $this->config->challengeMaxAge();
        $bound = $registry->boundToken($agentId);
        $reason = 'challenge expired';
        $verified = null;
        foreach ($pending as $candidate) {
            if ($candidate['expires_at'] < Store::now()) {
                continue;
            }
            if ($bound !== null && $candidate['token_id'] !== $bound) {
                // Made before the agent registered or was moved under another token.
                $reason = 'challenge under another token';
                continue;
            }
            $token = $registry->activeToken($candidate['token_id']);
            if ($token === null) {
                $reason = 'token revoked';
                continue;
            }
            try {
                $result = RegisterServer::verify($token, $candidate['state'], $message['answer'], $maxAge);
            } catch (ProtocolException) {
                $reason = 'wrong or late answer';
                continue;
            }
            if ($result['agent_id'] !== $agentId) {
                $reason = 'challenge of another agent';
                continue;
            }
            $verified = $result + ['pending' => $candidate];
            break;
        }
        if ($verified === null) {
            return $this->failed($registry, $request, 'challenge-failed', $pending[0]['token_id'], $reason);
        }
        $tokenId = $verified['pending']['token_id'];
        $approval = $registry->approval($agentId);
        if ($approval === Registry::REJECTED) {
            return $this->failed($registry, $request, 'challenge-failed', $tokenId, 'agent rejected', ProtocolException::FORBIDDEN);
        }
        if (!$registry->useChallenge($verified['pending']['id'])) {
            // The same answer, sent twice at once: it counts once.
            throw $this->registerError(ProtocolException::CHALLENGE_FAILED);
        }
        // The token is proven: the agent's fields, its binding and its key, in this transaction.
        $registry->dropChallenges($agentId);
        $fields = $verified['pending']['fields'];
        $csr = $fields['csr'] ?? null;
        unset($fields['csr']);
        $registry->store()->touchAgent(['agent_uuid' => $agentId, 'action' => 'register'] + $fields);
        $registry->bind($agentId, $tokenId);
        if ($this->config->manualApproval() && $approval !== Registry::APPROVED) {
            if ($approval !== Registry::AWAITING) {
                $registry->setApproval($agentId, Registry::AWAITING);
                $registry->audit('endpoint', 'awaiting-approval', $agentId, $tokenId);
            }
            return $this->codec->answer($request, [
                'status' => 'pending',
                'needs' => 'manual-validation',
                'expiration' => $this->config->expiration('register_retry'),
            ]);
        }
        $lifetime = parse_expiration((string) $this->config->get('key_lifetime'));
        $until = $registry->issueKey($agentId, $tokenId, $verified['key'], $lifetime);
        $registry->audit('endpoint', 'registered', $agentId, $tokenId, "key until $until UTC");
        $answer = [
            'status' => 'registered',
            'expiration' => $this->config->expiration('key_lifetime'),
            'challenge' => $verified['challenge'],
        ];
        if ($this->config->requireEncryption()) {
            $answer['crypto'] = $verified['crypto'];
        }
        $answer += (new ClientCertificates($this->config))->enroll($registry->store(), $agentId, $csr);
        return $this->codec->answer($request, $answer);
    }

    /** A 403 refusal of an answer, with its failure event kept (the refusal's only write). */
    private function failed(Registry $registry, object $request, string $event, int $tokenId, string $detail, string $token = ProtocolException::CHALLENGE_FAILED): HttpReply
    {
        $registry->recordFailure($event, (string) $request->agentId(), $tokenId, $detail, $this->config->get('failures_per_agent'), $this->config->get('max_unauthenticated_rows'));
        return ($this->refuse)($this->registerError($token), $request);
    }

    /** A REGISTER refusal; the status is the extension's for its own tokens. */
    private function registerError(string $token, ?int $status = null): EndpointError
    {
        return EndpointError::register($status ?? EndpointError::statusOf($token), $token, $this->config->expiration('register_retry'));
    }

    private function registry(Store $store): Registry
    {
        return new Registry($store, fn (): string => $this->kek ??= $this->loadKek($store));
    }

    /**
     * A KEK that cannot be used is the operator's to fix (restore the file): "busy server"
     * keeps the agents' data and brings them back later, and the log names the file.
     */
    private function loadKek(Store $store): string
    {
        try {
            return Kek::forStore((string) $this->config->get('kek_file'), $store);
        } catch (KekException $e) {
            error_log('glpi agent endpoint: ' . $e->getMessage());
            throw EndpointError::busy($e);
        }
    }

    /**
     * Deletes expired challenges, keys and replay ids at most every CLEANUP_INTERVAL
     * seconds, after a request was answered, in a transaction of its own. The time of the
     * last run is the mtime of a file beside the KEK.
     */
    public function cleanupLazily(): void
    {
        $stamp = $this->config->get('kek_file') . '.cleanup';
        clearstatcache(true, $stamp);
        $last = @filemtime($stamp);
        if ($last !== false && $last > time() - self::CLEANUP_INTERVAL) {
            return;
        }
        if (!PrivateFile::touch($stamp) && mt_rand(1, 100) !== 1) {
            // Without a writable stamp, clean up now and then rather than on every request.
            return;
        }
        try {
            ($this->store)()->transaction(function (Store $s): void {
                $registry = $this->registry($s);
                $done = $registry->cleanup($this->config->seconds('failure_retention'));
                if (array_sum($done) > 0) {
                    $registry->audit('endpoint', 'cleanup', null, null, http_build_query($done, '', ' '));
                }
            });
        } catch (\PDOException $e) {
            error_log('glpi agent endpoint: cleanup failed: ' . $e->getMessage());
        }
    }
}
