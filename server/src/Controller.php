<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;

use function GlpiAgentProtocol\check_basic_auth;
use function GlpiAgentProtocol\compress;
use function GlpiAgentProtocol\negotiate;
use function GlpiAgentProtocol\parse_expiration;

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
    private RegisterGate $gate;
    private RetryLimit $retries;
    private FieldLimits $limits;

    /**
     * @param \Closure(): Store $connect opens the store on first use, so that a database
     *        outage is answered as "busy server" like any other failure to store
     */
    public function __construct(private Config $config, \Closure $connect, private Codec $codec)
    {
        $this->connect = $connect;
        $this->retries = new RetryLimit($config);
        $this->limits = new FieldLimits($config);
        $this->gate = new RegisterGate(
            $config,
            fn (): Store => $this->store(),
            $codec,
            fn (EndpointError $e, ?object $request): HttpReply => $this->refuse($e, $request)
        );
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
            $this->certificates()->admit($headers, $server, fn (): Store => $this->storeOrBusy());
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
        $session = $this->config->registerEnabled() ? $this->gate->sessionKey($headers) : null;
        $refusal = null;
        if ($session !== null) {
            $options['key'] = $session['key'];
        } elseif ($this->config->registerEnabled() && ($refusal = $this->gate->unsealedRefusal($headers)) !== null) {
            // Only a REGISTER can be answered: decode no more than one needs.
            $options['max_decoded_bytes'] = min($options['max_decoded_bytes'] ?? PHP_INT_MAX, RegisterGate::REGISTER_MAX_BYTES);
            $options['max_values'] = min($options['max_values'] ?? PHP_INT_MAX, RegisterGate::REGISTER_MAX_VALUES);
        }
        try {
            $request = $this->codec->decode($body, $headers, $options);
        } catch (EndpointError $e) {
            // Too large for a REGISTER: refused for what the headers already said.
            throw $refusal !== null && $e->status === 413 ? $refusal : $e;
        }
        try {
            if (!in_array($request->compression(), $this->config->get('encodings'), true)) {
                // Answered plainly: the refused encoding cannot be mirrored.
                throw EndpointError::unsupportedContentType();
            }
            $this->codec->checkProxyChain($request, $this->config->get('server_id'));
            // The whole message is needed for every JSON action; decoding it is part of the
            // request's decode time.
            $content = $request->mode() === 'json' ? $this->codec->content($request) : null;
            $decodeUs = intdiv(hrtime(true) - $started, 1000);
            if ($request->mode() === 'json' && $request->agentId() === null) {
                // Spec 3.2.1: JSON is the GLPI agent protocol, whose requests MUST carry an id.
                throw EndpointError::badAgentId();
            }
            $this->limits->check(['user-agent' => Wire::header($headers, 'User-Agent')]);
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
                return $this->write(fn (Store $s): HttpReply => $this->gate->register($s, $context, $session));
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
                $this->gate->admit($s, $request, $session);
                return $handler($s);
            });
        } catch (EndpointError $e) {
            return $this->refuse($e, $request);
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
            $this->gate->cleanupLazily();
        }
        return $reply;
    }

    private function storeOrBusy(): Store
    {
        try {
            return $this->store();
        } catch (\PDOException $e) {
            throw EndpointError::busy($e);
        }
    }

    private function certificates(): ClientCertificates
    {
        return new ClientCertificates($this->config);
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
        $this->limits->check(['deviceid' => $request->deviceId()]);
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
        $this->limits->check(['deviceid' => $message->deviceid, 'name' => $message->name, 'version' => $message->version, 'tag' => $tag]);

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
        $this->limits->check(['deviceid' => $fields['device_id'], 'tag' => $fields['tag'] ?? null]);

        // A legacy XML inventory becomes the JSON message GLPI converts it to, which is then
        // validated and kept like a JSON one; the XML as received is kept too.
        $converted = $request->mode() === 'xml' ? $this->codec->convertXml($request) : null;
        if ($converted !== null && isset($converted->itemtype) && is_string($converted->itemtype) && $converted->itemtype !== '') {
            $itemtype = $converted->itemtype;
        }
        $validation = $this->validateInventory($context, $converted);

        $agentId = $store->touchAgent($fields);
        $body = $request->body();
        // A compressed JSON inventory is kept as the agent sent it: the JSON is the same once
        // decoded, and writing a tenth of the bytes is most of what storing costs. XML is
        // kept as text (converted to UTF-8), and an opened envelope's inner body is not at
        // hand, so both are stored decoded.
        $compressed = $request->mode() === 'json' && !$request->isEncrypted() && $request->compression() !== 'none';
        $stored = [
            'content' => $compressed ? $context['raw_body'] : $body,
            'content_encoding' => $compressed ? $request->compression() : 'none',
        ];
        if ($converted !== null) {
            // Lenient validation salvages the converted message; the XML stays as sent.
            $json = $validation !== null && $validation['dropped'] !== [] ? $validation['content'] : $converted;
            $stored['converted_json'] = json_encode($json, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
            if ($validation !== null) {
                $stored['dropped'] = $validation['dropped'];
            }
        } elseif ($validation !== null && $validation['dropped'] !== []) {
            // Lenient: the salvaged inventory is what is stored; the one sent is kept beside it.
            $stored = [
                'content' => json_encode($validation['content'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION),
                'content_encoding' => 'none',
                'dropped' => $validation['dropped'],
                'original' => $stored['content'],
                'original_encoding' => $stored['content_encoding'],
            ];
        }
        $store->addInventory($agentId, $stored + [
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
        ]);

        if ($request->agentId() === null) {
            return $this->codec->ackReply($request);
        }
        $answer = ['status' => 'ok', 'expiration' => $this->config->expiration()];
        return $this->remember($store, $context, $action, $answer, $this->codec->answer($request, $answer));
    }

    /**
     * The inventory checked as the `validation` setting says: refused (400 bad-format, the
     * first violation logged with its pointer) when strict and invalid, or when lenient and
     * nothing can be kept; else null (off, or a codec that cannot check it) or the result.
     *
     * @param array<string, mixed> $context
     * @return array{valid: bool, violations: list<array<string, string>>, content: mixed, dropped: list<array<string, string>>}|null
     */
    private function validateInventory(array $context, ?object $converted): ?array
    {
        $mode = $this->config->validation();
        if ($mode === 'off') {
            return null;
        }
        $result = $this->codec->validateInventory($context['request'], $converted ?? $context['content'] ?? null, [
            'mode' => $mode,
            'glpi_inventory_format' => $this->config->glpiInventoryFormat(),
        ]);
        if ($result === null) {
            return null;
        }
        if (!$result['valid'] || ($mode === 'strict' && $result['violations'] !== [])) {
            $first = $result['violations'][0] ?? ['pointer' => '', 'keyword' => '', 'message' => ''];
            error_log(sprintf(
                'glpi agent endpoint: inventory refused (%s validation, %d violations): %s %s: %s',
                $mode,
                count($result['violations']),
                $first['pointer'] === '' ? '(root)' : $first['pointer'],
                $first['keyword'],
                $first['message']
            ));
            throw EndpointError::badFormat();
        }
        return $result;
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
                $this->gate->admitRetry($agentId);
            }
            $this->retries->check($this->store(), $agentId);
            $saved = $this->store()->findAnswer($agentId, $requestId);
            if ($saved === null) {
                $this->retries->miss($this->store(), $agentId);
            }
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
