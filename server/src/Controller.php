<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\RegisterServer;

use function GlpiAgentProtocol\check_basic_auth;
use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\format_expiration;
use function GlpiAgentProtocol\negotiate;
use function GlpiAgentProtocol\parse_expiration;
use function GlpiAgentProtocol\register_message;

/**
 * The GLPI agent endpoint: PROLOG, CONTACT, INVENTORY / NETDISCOVERY / NETINVENTORY
 * (spec chapters 3 to 5), GET retries by GLPI-Request-ID (spec 3.2.2), REGISTER and
 * encrypted exchanges when enabled (spec chapter 6, docs/register.md), every refusal with
 * its status and token. Whatever one request writes is written in one transaction.
 */
final class Controller
{
    /** Actions stored as inventories, with the name they are stored under. */
    private const INVENTORY_ACTIONS = [
        'inventory' => 'inventory',
        'netdiscovery' => 'netdiscovery',
        'netinventory' => 'netinventory',
        // FusionInventory's names for network inventory, still accepted by GLPI.
        'snmpquery' => 'netinventory',
        'snmp' => 'netinventory',
    ];

    /** Tasks this server drives; CONTACT lists every other enabled task as disabled. */
    private const SUPPORTED_TASKS = ['inventory'];

    /** @var \Closure(): Store */
    private \Closure $connect;
    private ?Store $store = null;
    private ?string $kek = null;

    /** Seconds between two lazy cleanups of expired REGISTER rows. */
    private const CLEANUP_INTERVAL = 300;

    /**
     * @param \Closure(): Store $connect opens the store on first use, so that a database
     *        outage is answered as "busy server" like any other failure to store
     */
    public function __construct(private Config $config, \Closure $connect, private Codec $codec)
    {
        $this->connect = $connect;
    }

    public static function fromConfig(Config $config): self
    {
        $codec = $config->baseline() ? new BaselineCodec((int) $config->get('max_proxies')) : new ExtensionCodec();
        return new self(
            $config,
            static fn (): Store => $config->openStore(),
            $codec
        );
    }

    /**
     * @param array<string, mixed> $headers getallheaders() or $_SERVER
     * @param array<string, mixed> $server  $_SERVER (REMOTE_ADDR)
     */
    public function handle(string $method, array $headers, string $body, array $server = []): HttpReply
    {
        try {
            if ($this->config->authRequired() && !check_basic_auth(
                Wire::header($headers, 'Authorization'),
                $this->config->get('auth_login'),
                $this->config->get('auth_password')
            )) {
                throw EndpointError::unauthorized();
            }
            return match (strtoupper($method)) {
                'POST' => $this->post($headers, $body, $server),
                'GET' => $this->get($headers),
                default => throw EndpointError::methodNotAllowed(),
            };
        } catch (EndpointError $e) {
            return $this->refuse($e, null);
        } catch (\Throwable $e) {
            error_log('glpi agent endpoint: ' . get_class($e) . ': ' . $e->getMessage());
            return $this->refuse(EndpointError::internal($e), null);
        }
    }

    /** @param array<string, mixed> $headers */
    private function post(array $headers, string $body, array $server): HttpReply
    {
        if (strlen($body) > $this->config->get('max_body_bytes')) {
            throw EndpointError::payloadTooLarge();
        }
        $started = hrtime(true);
        $options = $this->config->decodeOptions();
        // The session key must be known before the body can be opened.
        $session = $this->config->registerEnabled() ? $this->sessionKey($headers) : null;
        if ($session !== null) {
            $options['key'] = $session['key'];
        }
        $request = $this->codec->decode($body, $headers, $options);
        try {
            if (!in_array($request->compression(), $this->config->get('encodings'), true)) {
                // Answered plainly: the refused encoding cannot be mirrored.
                throw EndpointError::unsupportedContentType();
            }
            $this->checkProxyChain($request);
            // The whole message is needed for every JSON action; decoding it is part of the
            // request's decode time.
            $content = $request->mode() === 'json' ? $this->codec->content($request) : null;
            $decodeUs = intdiv(hrtime(true) - $started, 1000);
            if ($request->mode() === 'json' && $request->agentId() === null) {
                // Spec 3.2.1: JSON is the GLPI agent protocol, whose requests MUST carry an id.
                throw EndpointError::badAgentId();
            }
        } catch (EndpointError $e) {
            return $this->refuse($e, $e->token === 'unsupported content-type' ? null : $request);
        }

        $context = [
            'request' => $request,
            'content' => $content,
            'raw_body' => $body,
            'decode_us' => $decodeUs,
            'user_agent' => Wire::header($headers, 'User-Agent'),
            'remote_addr' => isset($server['REMOTE_ADDR']) ? (string) $server['REMOTE_ADDR'] : null,
        ];
        $action = $request->action();
        try {
            if ($action === 'register' && $this->config->registerEnabled()) {
                return $this->write(fn (Store $s): HttpReply => $this->register($s, $context, $session));
            }
            $handler = match (true) {
                $action === 'prolog' => fn (Store $s): HttpReply => $this->prolog($s, $context),
                $action === 'contact' => fn (Store $s): HttpReply => $this->contact($s, $context),
                isset(self::INVENTORY_ACTIONS[$action]) => fn (Store $s): HttpReply => $this->inventory($s, $context, self::INVENTORY_ACTIONS[$action]),
                default => throw EndpointError::unsupportedAction(),
            };
            if (!$this->config->registerEnabled()) {
                return $this->write($handler);
            }
            return $this->write(function (Store $s) use ($handler, $request, $session): HttpReply {
                $this->admit($s, $request, $session);
                return $handler($s);
            });
        } catch (EndpointError $e) {
            return $this->refuse($e, $request);
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
    private function sessionKey(array $headers): ?array
    {
        $keyId = Wire::header($headers, 'GLPI-CryptoKey-ID');
        $agentId = trim((string) Wire::header($headers, 'GLPI-Agent-ID'));
        if ($keyId === null || !preg_match(Wire::UUID, trim($keyId)) || !preg_match(Wire::UUID, $agentId)) {
            return null;
        }
        // Keys belong to the agents that registered them; this endpoint knows no proxy keys.
        if (strcasecmp(trim($keyId), $agentId) !== 0) {
            throw $this->registerError(403, 'unknown cryptokey');
        }
        try {
            $registry = $this->registry($this->store());
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
            'expired' => throw $this->registerError(403, 'key expired'),
            default => throw $this->registerError(403, 'unknown cryptokey'),
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
            throw $this->registerError(400, 'replayed message');
        }
    }

    /**
     * The registration gate for every request but REGISTER: a registered agent, and an
     * encrypted request when encryption is required.
     *
     * @param array{row: array<string, mixed>, key: string}|null $session
     */
    private function admit(Store $store, object $request, ?array $session): void
    {
        $agentId = $request->agentId();
        if ($agentId === null) {
            // Legacy agents cannot register.
            throw $this->registerError(403, 'registration required');
        }
        $registry = $this->registry($store);
        if ($session !== null) {
            // The key was found active, and is checked again here, in the transaction.
            $this->recordEncrypted($registry, $request, $session);
            if ($registry->approval($agentId) === Registry::REJECTED) {
                throw $this->registerError(403, 'registration required');
            }
            return;
        }
        if (!$registry->isRegistered($agentId)) {
            throw $this->registerError(403, 'registration required');
        }
        if ($this->config->requireEncryption()) {
            throw $this->registerError(403, 'encryption required');
        }
    }

    /**
     * REGISTER (spec 6.1): the first message gets a challenge under the chosen token, the
     * answer to it a session key (or, with manual approval, a wait), a failure an error.
     *
     * @param array<string, mixed> $context
     * @param array{row: array<string, mixed>, key: string}|null $session
     */
    private function register(Store $store, array $context, ?array $session): HttpReply
    {
        $request = $context['request'];
        $agentId = (string) $request->agentId();
        $registry = $this->registry($store);
        if ($session !== null) {
            $this->recordEncrypted($registry, $request, $session);
        }
        try {
            $message = register_message($context['content']);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
        $maxAge = $this->config->challengeMaxAge();

        if ($message['type'] === 'register') {
            if ($registry->approval($agentId) === Registry::REJECTED) {
                throw $this->registerError(403, 'forbidden');
            }
            $chosen = $registry->tokenFor($message['tag']);
            if (isset($chosen['error'])) {
                throw $this->registerError(403, $chosen['error']);
            }
            $store->touchAgent([
                'agent_uuid' => $agentId,
                'device_id' => $message['deviceid'],
                'action' => 'register',
                'name' => $message['name'],
                'version' => $message['version'],
                'tag' => $message['tag'],
                'httpd_port' => $message['port'],
                'proxy_chain' => $request->proxyIds(),
                'user_agent' => $context['user_agent'],
                'remote_addr' => $context['remote_addr'],
            ]);
            $challenge = RegisterServer::challenge($chosen['token'], $agentId);
            $registry->replaceChallenge($agentId, $chosen['id'], $challenge['state_id'], $challenge['state'], $maxAge);
            return $this->codec->answer($request, [
                'status' => 'pending',
                'needs' => 'token-validation',
                'expiration' => format_expiration($maxAge),
                'challenge' => $challenge['challenge'],
            ]);
        }

        // The challenge is deleted before it is verified, so that an answer counts once;
        // a failed validation keeps that deletion and its audit event.
        $pending = $registry->takeChallenge($agentId);
        if ($pending === null) {
            throw $this->registerError(403, 'challenge failed');
        }
        if ($message['type'] === 'failure') {
            $registry->audit('endpoint', 'agent-failure', $agentId, $pending['token_id'], 'agent says: ' . $message['reason']);
            return $this->refuse($this->registerError(403, 'challenge failed'), $request);
        }
        $reason = null;
        $verified = null;
        $token = $registry->activeToken($pending['token_id']);
        if ($token === null) {
            $reason = 'token revoked';
        } elseif ($pending['expires_at'] < Store::now()) {
            $reason = 'challenge expired';
        } else {
            try {
                $verified = RegisterServer::verify($token, $pending['state'], $message['answer'], $maxAge);
                if ($verified['agent_id'] !== $agentId) {
                    $reason = 'challenge of another agent';
                }
            } catch (ProtocolException) {
                $reason = 'wrong or late answer';
            }
        }
        if ($reason !== null) {
            $registry->audit('endpoint', 'challenge-failed', $agentId, $pending['token_id'], $reason);
            return $this->refuse($this->registerError(403, 'challenge failed'), $request);
        }
        $approval = $registry->approval($agentId);
        if ($approval === Registry::REJECTED) {
            $registry->audit('endpoint', 'challenge-failed', $agentId, $pending['token_id'], 'agent rejected');
            return $this->refuse($this->registerError(403, 'forbidden'), $request);
        }
        if ($this->config->manualApproval() && $approval !== Registry::APPROVED) {
            if ($approval !== Registry::AWAITING) {
                $registry->setApproval($agentId, Registry::AWAITING);
                $registry->audit('endpoint', 'awaiting-approval', $agentId, $pending['token_id']);
            }
            return $this->codec->answer($request, [
                'status' => 'pending',
                'needs' => 'manual-validation',
                'expiration' => $this->config->expiration('register_retry'),
            ]);
        }
        $lifetime = parse_expiration((string) $this->config->get('key_lifetime'));
        $until = $registry->issueKey($agentId, $pending['token_id'], $verified['key'], $lifetime);
        $registry->audit('endpoint', 'registered', $agentId, $pending['token_id'], "key until $until UTC");
        $answer = [
            'status' => 'registered',
            'expiration' => $this->config->expiration('key_lifetime'),
            'challenge' => $verified['challenge'],
        ];
        if ($this->config->requireEncryption()) {
            $answer['crypto'] = $verified['crypto'];
        }
        return $this->codec->answer($request, $answer);
    }

    private function registerError(int $status, string $token): EndpointError
    {
        return EndpointError::register($status, $token, $this->config->expiration('register_retry'));
    }

    private function registry(Store $store): Registry
    {
        return new Registry($store, fn (): string => $this->kek ??= Kek::load((string) $this->config->get('kek_file')));
    }

    /**
     * Deletes expired challenges, keys and replay ids at most every CLEANUP_INTERVAL
     * seconds, after a request was answered, in a transaction of its own. The time of the
     * last run is the mtime of a file beside the KEK.
     */
    private function cleanupLazily(): void
    {
        $stamp = $this->config->get('kek_file') . '.cleanup';
        clearstatcache(true, $stamp);
        $last = @filemtime($stamp);
        if ($last !== false && $last > time() - self::CLEANUP_INTERVAL) {
            return;
        }
        if (!@touch($stamp) && mt_rand(1, 100) !== 1) {
            // Without a writable stamp, clean up now and then rather than on every request.
            return;
        }
        try {
            $this->store()->transaction(function (Store $s): void {
                $registry = $this->registry($s);
                $done = $registry->cleanup();
                if (array_sum($done) > 0) {
                    $registry->audit('endpoint', 'cleanup', null, null, http_build_query($done, '', ' '));
                }
            });
        } catch (\PDOException $e) {
            error_log('glpi agent endpoint: cleanup failed: ' . $e->getMessage());
        }
    }

    /**
     * Runs one request's writes in one transaction, and keeps its answer for GET retries
     * when the request carried GLPI-Request-ID. A failing database is "busy server": the
     * agent keeps its data and comes back after busy_expiration.
     *
     * @param callable(Store): HttpReply $handler
     */
    private function write(callable $handler): HttpReply
    {
        try {
            $store = $this->store();
            $reply = $store->transaction($handler);
        } catch (\PDOException $e) {
            error_log('glpi agent endpoint: store failed: ' . $e->getMessage());
            throw EndpointError::busy($e);
        }
        if ($this->config->registerEnabled() && $reply->status < 400) {
            $this->cleanupLazily();
        }
        return $reply;
    }

    private function store(): Store
    {
        return $this->store ??= ($this->connect)();
    }

    /** @param array<string, mixed> $context */
    private function remember(Store $store, array $context, string $action, array $answer, HttpReply $reply): HttpReply
    {
        $request = $context['request'];
        // An encrypted answer is not kept: a GET retry carries no proof of the key.
        if ($request->agentId() !== null && $request->requestId() !== null && !$request->isEncrypted()) {
            $store->saveAnswer(
                $request->agentId(),
                $request->requestId(),
                $action,
                $reply->status,
                $reply->header('Content-Type') ?? 'application/json',
                json_encode($answer, JSON_THROW_ON_ERROR)
            );
        }
        return $reply;
    }

    /** @param array<string, mixed> $context */
    private function agentFields(array $context, string $action): array
    {
        $request = $context['request'];
        [$name, $version] = Wire::agentFromUserAgent($context['user_agent']);
        return [
            'agent_uuid' => $request->agentId(),
            'device_id' => (string) $request->deviceId(),
            'action' => $action,
            'name' => $name,
            'version' => $version,
            'proxy_chain' => $request->proxyIds(),
            'user_agent' => $context['user_agent'],
            'remote_addr' => $context['remote_addr'],
        ];
    }

    /** @param array<string, mixed> $context */
    private function prolog(Store $store, array $context): HttpReply
    {
        $request = $context['request'];
        if ((string) $request->deviceId() === '') {
            throw EndpointError::badFormat();
        }
        $store->touchAgent($this->agentFields($context, 'prolog'));
        if ($request->agentId() !== null) {
            // A GLPI agent that does not know the server yet: GLPI answers in JSON, which
            // tells the agent it may use the JSON protocol from now on.
            $answer = ['status' => 'ok', 'expiration' => $this->config->expiration()];
            return $this->remember($store, $context, 'prolog', $answer, $this->codec->answer($request, $answer));
        }
        return $this->codec->prologReply($request, $this->prologFrequency());
    }

    /** @param array<string, mixed> $context */
    private function contact(Store $store, array $context): HttpReply
    {
        $request = $context['request'];
        $message = $context['content'];
        if (!$message instanceof \stdClass) {
            throw EndpointError::badFormat();
        }
        // Spec 4.1.2: deviceid, name, version and installed-tasks are mandatory.
        foreach (['deviceid', 'name', 'version'] as $field) {
            if (!isset($message->$field) || !is_string($message->$field) || $message->$field === '') {
                throw EndpointError::badFormat();
            }
        }
        $installed = self::taskList($message, 'installed-tasks', true);
        $enabled = self::taskList($message, 'enabled-tasks', false) ?? $installed;
        $port = $message->{'httpd-port'} ?? null;
        if ($port !== null && (!is_scalar($port) || !preg_match('/^[0-9]{1,5}$/', (string) $port) || (int) $port > 65535)) {
            throw EndpointError::badFormat();
        }
        $tag = $message->tag ?? null;
        if ($tag !== null && !is_string($tag)) {
            throw EndpointError::badFormat();
        }

        $store->touchAgent([
            'agent_uuid' => $request->agentId(),
            'device_id' => $message->deviceid,
            'action' => 'contact',
            'name' => $message->name,
            'version' => $message->version,
            'tag' => $tag,
            'installed_tasks' => $installed,
            'enabled_tasks' => $enabled,
            'httpd_port' => $port === null ? null : (int) $port,
            'httpd_plugins' => $message->{'httpd-plugins'} ?? null,
            'proxy_chain' => $request->proxyIds(),
            'user_agent' => $context['user_agent'],
            'remote_addr' => $context['remote_addr'],
        ]);

        $answer = ['status' => 'ok', 'expiration' => $this->config->expiration()];
        $tasks = [];
        $disabled = [];
        foreach ($enabled as $task) {
            if (in_array($task, self::SUPPORTED_TASKS, true)) {
                $tasks[$task] = $this->config->get('inventory_task');
            } else {
                $disabled[] = $task;
            }
        }
        if ($tasks !== []) {
            $answer['tasks'] = $tasks;
        }
        if ($disabled !== []) {
            $answer['disabled'] = array_values(array_unique($disabled));
        }
        return $this->remember($store, $context, 'contact', $answer, $this->codec->answer($request, $answer));
    }

    /** @return list<string>|null */
    private static function taskList(\stdClass $message, string $field, bool $mandatory): ?array
    {
        if (!isset($message->$field)) {
            if ($mandatory) {
                throw EndpointError::badFormat();
            }
            return null;
        }
        $list = $message->$field;
        if (!is_array($list)) {
            throw EndpointError::badFormat();
        }
        foreach ($list as $task) {
            if (!is_string($task) || $task === '') {
                throw EndpointError::badFormat();
            }
        }
        return array_values($list);
    }

    /** @param array<string, mixed> $context */
    private function inventory(Store $store, array $context, string $action): HttpReply
    {
        $request = $context['request'];
        $itemtype = 'Computer';
        $partial = false;
        $fields = $this->agentFields($context, $action);
        if ($request->mode() === 'json') {
            $message = $context['content'];
            // Spec 5.1: deviceid and content are mandatory, itemtype defaults to Computer.
            if (!$message instanceof \stdClass
                || !isset($message->deviceid) || !is_string($message->deviceid) || $message->deviceid === ''
                || !isset($message->content) || !$message->content instanceof \stdClass) {
                throw EndpointError::badFormat();
            }
            if (isset($message->itemtype)) {
                if (!is_string($message->itemtype) || $message->itemtype === '') {
                    throw EndpointError::badFormat();
                }
                $itemtype = $message->itemtype;
            }
            $partial = ($message->partial ?? false) === true;
            $fields['device_id'] = $message->deviceid;
            if (isset($message->tag) && is_string($message->tag)) {
                $fields['tag'] = $message->tag;
            }
        } elseif ((string) $request->deviceId() === '') {
            throw EndpointError::badFormat();
        }
        $converted = $request->mode() === 'xml' ? $this->convertedXml($request) : null;
        if ($converted !== null && isset($converted->itemtype) && is_string($converted->itemtype) && $converted->itemtype !== '') {
            $itemtype = $converted->itemtype;
        }

        $agentId = $store->touchAgent($fields);
        $body = $request->body();
        // A compressed JSON inventory is kept as the agent sent it: the JSON is the same once
        // decoded, and writing a tenth of the bytes is most of what storing costs. XML is
        // kept as text (converted to UTF-8), and an opened envelope's inner body is not at
        // hand, so both are stored decoded.
        $compressed = $request->mode() === 'json' && !$request->isEncrypted() && $request->compression() !== 'none';
        $store->addInventory($agentId, [
            'action' => $action,
            'itemtype' => $itemtype,
            'device_id' => $fields['device_id'],
            'request_id' => $request->requestId(),
            'partial' => $partial,
            'format' => $request->mode(),
            'compression' => $request->compression(),
            'raw_size' => strlen($context['raw_body']),
            'decoded_size' => strlen($body),
            'decode_us' => $context['decode_us'],
            'content' => $compressed ? $context['raw_body'] : $body,
            'content_encoding' => $compressed ? $request->compression() : 'none',
            'converted_json' => $converted === null ? null : json_encode($converted, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR),
        ]);

        if ($request->agentId() === null) {
            return $this->codec->ackReply($request);
        }
        $answer = ['status' => 'ok', 'expiration' => $this->config->expiration()];
        return $this->remember($store, $context, $action, $answer, $this->codec->answer($request, $answer));
    }

    /**
     * A legacy XML inventory as the JSON inventory GLPI converts it to; refused (400) where
     * GLPI's conversion fails.
     */
    private function convertedXml(object $request): ?object
    {
        return $this->codec->convertXml($request);
    }

    /** @param array<string, mixed> $headers */
    private function get(array $headers): HttpReply
    {
        $requestId = Wire::header($headers, 'GLPI-Request-ID');
        if ($requestId === null) {
            // Only a retry of a known request is a GET in this protocol.
            throw EndpointError::methodNotAllowed();
        }
        $requestId = trim($requestId);
        if (!preg_match('/^[0-9A-F]{8}$/', $requestId)) {
            throw EndpointError::badRequestId();
        }
        $agentId = trim((string) Wire::header($headers, 'GLPI-Agent-ID'));
        if (!preg_match(Wire::UUID, $agentId)) {
            throw EndpointError::badAgentId();
        }
        $agentId = strtolower($agentId);
        try {
            if ($this->config->registerEnabled()) {
                $registry = $this->registry($this->store());
                if (!$registry->isRegistered($agentId)) {
                    throw $this->registerError(403, 'registration required');
                }
            }
            $saved = $this->store()->findAnswer($agentId, $requestId);
        } catch (\PDOException $e) {
            throw EndpointError::busy($e);
        }
        if ($saved === null) {
            throw EndpointError::unknownRequest();
        }
        try {
            $type = negotiate(Wire::header($headers, 'Accept'), $saved['content_type']);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
        $encoding = Wire::encodingOf($type) ?? 'none';
        $body = $encoding === 'none' ? $saved['answer'] : compress($saved['answer'], $encoding);
        return new HttpReply($saved['http_status'], [
            'Content-Type' => $type,
            'Pragma' => 'no-cache',
            'GLPI-Agent-ID' => $agentId,
            'GLPI-Request-ID' => $requestId,
        ], $body);
    }

    private function checkProxyChain(object $request): void
    {
        $chain = $request->proxyIds();
        if ($chain === []) {
            return;
        }
        if (count($chain) > $this->config->get('max_proxies')) {
            throw EndpointError::tooManyProxy();
        }
        $seen = array_map('strtolower', $chain);
        $serverId = $this->config->get('server_id');
        // A proxy twice in the chain, the agent relaying its own request, or this server in
        // the chain: the request went round in a circle (spec 3.2.7).
        if (count(array_unique($seen)) !== count($seen)
            || ($request->agentId() !== null && in_array(strtolower($request->agentId()), $seen, true))
            || ($serverId !== null && in_array(strtolower($serverId), $seen, true))) {
            throw EndpointError::proxyLoop();
        }
    }

    /** PROLOG_FREQ is in hours (FusionInventory protocol); round a shorter delay up to 1. */
    private function prologFrequency(): int
    {
        return max(1, intdiv(parse_expiration((string) $this->config->get('expiration')) + 3599, 3600));
    }

    /** The answer to a refusal, built by the codec (the extension's Response::forError). */
    private function refuse(EndpointError $e, ?object $request): HttpReply
    {
        return $this->codec->errorReply(
            $e,
            $request,
            $e->expiration ?? $this->config->expiration($e->busy ? 'busy_expiration' : 'expiration'),
            $this->config->get('auth_realm')
        );
    }
}
