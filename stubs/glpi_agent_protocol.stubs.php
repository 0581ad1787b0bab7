<?php

// Stubs for the glpi_agent_protocol extension 0.1.0.
// Generated from the built extension and the doc comments of src/php/*.rs by
// scripts/gen-stubs.php (make stubs): do not edit.

// @generated

namespace GlpiAgentProtocol {
    /**
     * The operator's certificate authority for agents: creates the CA and issues agent
     * certificates. Static methods only.
     */
    class CertificateAuthority
    {
        /**
         * Not instantiable: a class of static methods only (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * A new CA: a self-signed certificate `CN=$common_name` (CA:TRUE, path length 0)
         * valid `$validity_days` from now, and its key (`ecdsa-p256`, `ecdsa-p384` or
         * `ed25519`). Returns `['certificate' => PEM, 'key' => PKCS#8 PEM, 'serial' => hex,
         * 'not_after' => Unix time, 'fingerprint' => 'sha256$hex']`. Keep the key in a file
         * of its own (mode 0600), never in a database.
         *
         * @param string $common_name the CA's subject CN
         * @param int<1, 36500> $validity_days how long the CA certificate is valid
         * @param 'ecdsa-p256'|'ecdsa-p384'|'ed25519' $algorithm the CA key's algorithm
         * @return array{certificate: string, key: string, serial: string, not_after: int,
         *   fingerprint: string} the CA certificate and key (PEM), its serial (hex), expiry
         *   (Unix time) and fingerprint
         * @throws \ValueError for an unknown algorithm, a validity out of range, or a common
         *   name that is not 1 to 64 characters
         */
        public static function create(string $common_name, int $validity_days = 3650, string $algorithm = 'ecdsa-p256'): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Issues the certificate of agent `$agent_id` from its PKCS#10 request `$csr` (PEM or
         * DER), valid from `$not_before` (Unix time; null: a minute ago, for clock skew) for
         * `$validity_seconds`. Only the request's key is used: the subject (CN = agent id),
         * the `urn:uuid:` subjectAltName, `clientAuth` and the random serial are the CA's.
         * Returns `['certificate' => PEM, 'agent_id', 'serial' => hex, 'not_before',
         * 'not_after', 'fingerprint' => 'sha256$hex', 'key_type']`. A bad request throws a
         * 400 `ProtocolException` (`bad csr`, `csr signature invalid`, `csr key refused`).
         *
         * @param string $ca_certificate the CA certificate (PEM)
         * @param string $ca_key the CA key (PKCS#8 PEM)
         * @param string $csr the agent's PKCS#10 request (PEM or DER)
         * @param string $agent_id the agent's id (a UUID string), named by the certificate
         * @param positive-int $validity_seconds how long the certificate is valid
         * @param int|null $not_before the start of validity (Unix time); null for a minute ago
         * @param int $max_certificate_bytes the largest request accepted; 0 for
         *   `glpi_agent_protocol.max_certificate_bytes`
         * @return array{certificate: string, agent_id: string, serial: string, not_before: int,
         *   not_after: int, fingerprint: string, key_type: string} the certificate (PEM) and
         *   what to record of it
         * @throws \GlpiAgentProtocol\ProtocolException 400 `bad csr`, `csr signature invalid`
         *   or `csr key refused`
         * @throws \ValueError for a CA certificate or key that cannot be used, an agent id that
         *   is not a UUID string, or a validity that is not positive
         */
        public static function issue(string $ca_certificate, #[\SensitiveParameter] string $ca_key, string $csr, string $agent_id, int $validity_seconds, ?int $not_before = null, int $max_certificate_bytes = 0): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * Inventory messages as GLPI's inventory_format defines them: validation, and the
     * conversion of legacy XML inventories. Static methods only.
     */
    class Inventory
    {
        /**
         * Not instantiable: a class of static methods only (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The message GLPI's converter makes of a legacy XML inventory, equal to
         * `json_decode($converter->convert($xml), $assoc)`: objects by default, arrays with
         * `'assoc' => true`. Options: `assoc`, `max_decoded_bytes`, `max_depth`.
         * Throws `ProtocolException` (400) for malformed XML, a DTD or an entity, and where
         * GLPI's conversion fails.
         *
         * @param string $xml the XML inventory (`<REQUEST>` with `<CONTENT>`)
         * @param array{assoc?: bool, max_decoded_bytes?: positive-int, max_depth?: positive-int}|null $options
         *   objects or arrays, and the limits (defaults from the INI directives)
         * @return array<array-key, mixed>|object the message, objects unless `'assoc' => true`
         * @throws \GlpiAgentProtocol\ProtocolException 400 `malformed xml` for XML that is
         *   malformed or holds a DTD or an entity; 413 for XML past `max_decoded_bytes`
         * @throws \ValueError for an unknown option or an option of the wrong type
         */
        public static function fromXml(string $xml, ?array $options = null): mixed
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Validates an inventory message (`json_decode` output, objects or arrays) against
         * inventory_format: GLPI's verdict, every violation, and in lenient mode the message
         * with each offending part removed. Options: `mode`, `tolerate_strings`,
         * `max_violations`, `schema`, `extra_itemtypes`, `extra_properties`,
         * `extra_sub_properties`; defaults from the `glpi_agent_protocol.validation_*` INI
         * directives. The engine-level type of `$message` is `mixed`: anything but an array or
         * an object is a `\TypeError`.
         *
         * @param array<array-key, mixed>|object $message the whole message (`deviceid`, `content`, ...)
         * @param array{mode?: 'strict'|'lenient', tolerate_strings?: bool, max_violations?: positive-int,
         *   schema?: string|null, extra_itemtypes?: list<string>, extra_properties?: array<string, mixed>,
         *   extra_sub_properties?: array<string, array<string, mixed>>}|null $options
         *   `mode`: `'strict'` (GLPI's verdict) or `'lenient'` (salvage); `tolerate_strings`: GLPI's
         *   string coercion of numbers and booleans; `schema`: the path of an
         *   `inventory.schema.json`; the `extra_*` options as `Glpi\Inventory\Schema`'s setters
         *   take them
         * @return Validation the verdict, the violations and, in lenient mode, the salvaged message
         * @throws \TypeError when `$message` is neither an array nor an object
         * @throws \ValueError for an unknown option, an option of the wrong type, or a schema
         *   that cannot be read or compiled
         */
        public static function validate(mixed $message, ?array $options = null): \GlpiAgentProtocol\Validation
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * What a remote party got wrong (bad bytes, bad headers, a failed challenge, an expired
     * key, an oversize payload): the HTTP status to answer is `getCode()`, the spec's error
     * token `getToken()`, and `Response::forError()` turns it into the answer. Messages and
     * traces never hold a token, key, secret or password.
     */
    class ProtocolException extends \RuntimeException
    {
        public const BAD_AGENT_ID = 'bad agent id';
        public const BAD_CERTIFICATE = 'bad certificate';
        public const BAD_CRYPTO_KEY_ID = 'bad cryptokey id';
        public const BAD_CSR = 'bad csr';
        public const BAD_FORMAT = 'bad-format';
        public const BAD_PROXY_ID = 'bad proxy id';
        public const BUSY_SERVER = 'busy server';
        public const CERTIFICATE_AGENT_MISMATCH = 'certificate agent mismatch';
        public const CERTIFICATE_EXPIRED = 'certificate expired';
        public const CERTIFICATE_NOT_FOR_CLIENTS = 'certificate not for clients';
        public const CERTIFICATE_NOT_YET_VALID = 'certificate not yet valid';
        public const CERTIFICATE_REQUIRED = 'certificate required';
        public const CERTIFICATE_REVOKED = 'certificate revoked';
        public const CERTIFICATE_SUBJECT_REFUSED = 'certificate subject refused';
        public const CHALLENGE_FAILED = 'challenge failed';
        public const CHALLENGE_FOR_ANOTHER_AGENT = 'challenge for another agent';
        public const COMPRESSION_RATIO = 'compression ratio too high';
        public const CORRUPT_COMPRESSED_DATA = 'corrupt compressed data';
        public const CSR_KEY_REFUSED = 'csr key refused';
        public const CSR_SIGNATURE_INVALID = 'csr signature invalid';
        public const DECRYPTION_FAILED = 'decryption failed';
        public const ENCRYPTION_REQUIRED = 'encryption required';
        public const FORBIDDEN = 'forbidden';
        public const INVALID_PROPERTY_NAME = 'invalid property name';
        public const INVALID_UTF8 = 'invalid utf-8';
        public const JSON_TOO_DEEP = 'json too deep';
        public const KEY_EXPIRED = 'key expired';
        public const MALFORMED_JSON = 'malformed json';
        public const MALFORMED_XML = 'malformed xml';
        public const METHOD_NOT_ALLOWED = 'method not allowed';
        public const NOT_ACCEPTABLE = 'not acceptable';
        public const OVER_MEMORY_LIMIT = 'values exceed memory limit';
        public const PAYLOAD_TOO_LARGE = 'payload too large';
        public const PROXY_LOOP_DETECTED = 'proxy-loop-detected';
        public const REPLAYED_MESSAGE = 'replayed message';
        public const STALE_MESSAGE = 'stale message';
        public const TOO_MANY_PROXY = 'too-many-proxy';
        public const TOO_MANY_VALUES = 'too many values';
        public const TRUNCATED_COMPRESSED_DATA = 'truncated compressed data';
        public const UNAUTHORIZED = 'unauthorized';
        public const UNKNOWN_CERTIFICATE_AUTHORITY = 'unknown certificate authority';
        public const UNKNOWN_CRYPTO_KEY = 'unknown cryptokey';
        public const UNSUPPORTED_ACTION = 'unsupported action';
        public const UNSUPPORTED_CONTENT_TYPE = 'unsupported content-type';
        protected $token = '';
        protected $legacyAgent = false;
        protected $expiration = null;

        /**
         * A refusal to answer with: `$token` the error token sent as the answer's `message`,
         * `$code` its HTTP status, `$message` the exception message (default the token), and
         * `$expiration` the delay after which the agent may try again.
         *
         * @param string $token the spec's error token, such as `'forbidden'`
         * @param int<400, 599> $code the HTTP status to answer with
         * @param string|null $message the exception message; null for the token
         * @param string|int|null $expiration a delay definition (`'1h'`, or an int of hours) for
         *   the answer's `expiration`; null for none
         * @throws \ValueError for a `$code` that is not an HTTP status from 400 to 599
         */
        public function __construct(string $token, int $code = 400, ?string $message = null, mixed $expiration = null)
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The JSON answer to send, as `Response::forError()` sends it.
         *
         * @return array{status: 'error', message: string, expiration?: string|int} the answer;
         *   `expiration` only when there is one
         */
        public function getAnswer(): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The delay after which the agent may try again, as the answer's `expiration` gives it.
         *
         * @return string|int|null a delay definition (`'30m'`, or an int of hours), or null for none
         */
        public function getExpiration(): mixed
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The spec's error token, sent as the answer's `message`.
         *
         * @return string the token, such as `'challenge failed'`
         */
        public function getToken(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The HTTP status the extension answers `$token` with: `ProtocolException::statusOf(
         * ProtocolException::BUSY_SERVER)` is 503. Every token is also a class constant named
         * after it (`BAD_FORMAT` for `'bad-format'`).
         *
         * @param string $token an error token, as `getToken()` returns it
         * @return int|null its status, or null when it is not a token of the extension
         */
        public static function statusOf(string $token): ?int
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * The agent (or proxy) side of REGISTER token validation (spec 6.2): static methods
     * over opaque states the caller keeps.
     */
    class RegisterAgent
    {
        /**
         * Not instantiable: a class of static methods only (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The answer to a server challenge. Returns `['answer' => uuid, 'state' => opaque]`;
         * keep the state for `finish()`. A challenge meant for another agent throws a
         * `ProtocolException` with token `challenge for another agent`: a proxy keeps it
         * for that agent.
         *
         * @param string $token the REGISTER token (a UUID string)
         * @param string $agent_id this agent's id (a UUID string)
         * @param string $challenge the server's challenge (a UUID string)
         * @return array{answer: non-empty-string, state: non-empty-string} the answer to send and
         *   the state to keep for `finish()`
         * @throws \GlpiAgentProtocol\ProtocolException `challenge for another agent` for a
         *   challenge made for another agent id; 400 `challenge failed` for one that is not valid
         * @throws \ValueError for a token or agent id that is not a UUID string
         * @throws \Random\RandomException when the operating system's random generator fails
         */
        public static function answer(#[\SensitiveParameter] string $token, string $agent_id, string $challenge): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Checks the server's final challenge and returns the 16-byte session key carried
         * in `$crypto`, or null when the server sent none.
         *
         * @param string $token the REGISTER token (a UUID string)
         * @param string $state the state `answer()` returned
         * @param string $challenge the server's final challenge (a UUID string)
         * @param string|null $crypto the server's `crypto` (a UUID string), or null when it sent none
         * @return string|null the 16-byte session key, or null without `$crypto`
         * @throws \GlpiAgentProtocol\ProtocolException 400 `challenge failed` when the final
         *   challenge or `$crypto` does not match the state
         * @throws \ValueError for a token that is not a UUID string
         */
        public static function finish(#[\SensitiveParameter] string $token, string $state, string $challenge, ?string $crypto = null): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * The server side of REGISTER token validation (spec 6.2): static methods over opaque
     * states the caller stores.
     */
    class RegisterServer
    {
        /**
         * Not instantiable: a class of static methods only (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * A challenge for `$agent_id` (the request's `GLPI-Agent-ID`, or an id from
         * `GLPI-Proxy-ID` when a proxy is trusted instead) under `$token`. Returns
         * `['challenge' => uuid, 'state' => opaque, 'state_id' => id]`: send the challenge,
         * store the state (text) until the answer comes, and delete it before verifying.
         *
         * @param string $token the REGISTER token shared with the agent (a UUID string)
         * @param string $agent_id the agent id the challenge is for (a UUID string)
         * @return array{challenge: non-empty-string, state: non-empty-string, state_id: non-empty-string}
         *   the challenge to send, the state to store, and an id to store it under
         * @throws \GlpiAgentProtocol\ProtocolException 400 `bad agent id` for an agent id that
         *   is not a UUID
         * @throws \ValueError for a token that is not a UUID string
         * @throws \Random\RandomException when the operating system's random generator fails
         */
        public static function challenge(#[\SensitiveParameter] string $token, string $agent_id): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Checks the agent's answer against the stored `$state` (at most `$max_age` seconds
         * old; 0 means the INI default). Returns `['challenge' => final uuid, 'crypto' =>
         * encrypted session key as uuid, 'key' => the 16-byte session key, 'agent_id' =>
         * the id the challenge was for, 'state_id' => id]`. A wrong, tampered or expired
         * answer throws `challenge failed`. A state verifies at most once only if the caller
         * deletes it first: the state itself cannot know it was used.
         *
         * @param string $token the REGISTER token the challenge was made under
         * @param string $state the state `challenge()` returned
         * @param string $answer the agent's answer (a UUID string)
         * @param int $max_age the oldest state accepted, in seconds; 0 for
         *   `glpi_agent_protocol.challenge_max_age`
         * @return array{challenge: non-empty-string, crypto: non-empty-string, key: non-empty-string,
         *   agent_id: non-empty-string, state_id: non-empty-string} the final challenge and
         *   `crypto` to send, the 16-byte session key to keep, and whom it is for
         * @throws \GlpiAgentProtocol\ProtocolException 400 `challenge failed` for a wrong,
         *   tampered or expired answer or state
         * @throws \ValueError for a token that is not a UUID string or a negative `$max_age`
         * @throws \Random\RandomException when the operating system's random generator fails
         */
        public static function verify(#[\SensitiveParameter] string $token, string $state, string $answer, int $max_age = 0): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * A decoded agent request: its mode, compression, routing headers and message. Built
     * only by `Request::decode()`.
     */
    class Request
    {
        /**
         * Not instantiable: the extension's own methods make the objects (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Lower case: JSON `action`, else `query`, else `'inventory'`; XML `QUERY`, else `'inventory'`.
         *
         * @return non-empty-string the request's action, such as `'contact'` or `'inventory'`
         */
        public function action(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * `GLPI-Agent-ID` as a canonical lower-case UUID.
         *
         * @return non-empty-string|null the agent id, or null when the request has no `GLPI-Agent-ID`
         */
        public function agentId(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The plain bytes after decryption and decompression (XML converted to UTF-8).
         *
         * @return string the plain message text
         */
        public function body(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Applies spec 3.2.7 to the request's `GLPI-Proxy-ID` chain, under the `max_proxies`
         * it was decoded with: throws `ProtocolException` 404 `proxy-loop-detected` when
         * `$own_id` (this server's or this proxy's agent id, if it has one) or the requesting
         * agent is in the chain, or one proxy appears twice; 404 `too-many-proxy` when the
         * chain is longer than `max_proxies`, or, with `$forwarding` (a proxy about to add
         * its own id), when it has no room left.
         *
         * @param string|null $own_id this server's or this proxy's agent id, if it has one
         * @param bool $forwarding true for a proxy about to add its own id to the chain
         * @return void
         * @throws ProtocolException 404 `proxy-loop-detected` or `too-many-proxy`
         * @throws \ValueError when `$own_id` is not a UUID
         */
        public function checkProxyChain(?string $own_id = null, bool $forwarding = false): void
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The compression of the request body, which its answer mirrors.
         *
         * @return 'none'|'zlib'|'gzip'|'deflate'|'br' the compression the body was sent in
         */
        public function compression(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The whole JSON message, identical to `json_decode` of the plain JSON with the same
         * `assoc`; null for XML.
         *
         * @return array<array-key, mixed>|object|null the message: an object, or an array with
         *   `'assoc' => true`; null for an XML request
         */
        public function content(): mixed
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The content type the request's message was sent with (inside the envelope when encrypted).
         *
         * @return non-empty-string|null the `Content-Type`, or null when the request had none
         */
        public function contentType(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * `GLPI-CryptoKey-ID`: whose session key the body is encrypted with.
         *
         * @return non-empty-string|null the key owner's agent id, or null for a plain request
         */
        public function cryptoKeyId(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Decodes a request body with its headers (`getallheaders()` or `$_SERVER`).
         * Options: `max_decoded_bytes`, `max_ratio`, `max_depth`, `max_proxies`,
         * `message_max_age`, `invalid_utf8` ('error' or 'substitute'), `assoc` (bool),
         * `key` (the 16-byte session key for a body sent with `GLPI-CryptoKey-ID`).
         * Throws `ProtocolException` for anything the peer got wrong.
         *
         * @param string $body the raw request body (`file_get_contents('php://input')`)
         * @param array<string, mixed> $headers `getallheaders()` (names in any case) or `$_SERVER`
         * @param array{max_decoded_bytes?: positive-int, max_ratio?: positive-int,
         *   max_ratio_brotli?: positive-int, max_depth?: positive-int, max_values?: positive-int,
         *   max_proxies?: positive-int, message_max_age?: positive-int,
         *   invalid_utf8?: 'error'|'substitute', assoc?: bool, key?: string|null}|null $options
         *   per-call limits (defaults from the `glpi_agent_protocol.*` INI directives) and
         *   the session key
         * @return Request the decoded request
         * @throws \GlpiAgentProtocol\ProtocolException for anything the peer got wrong (its
         *   `getCode()` is the HTTP status to answer, `Response::forError()` writes the answer)
         * @throws \ValueError for an unknown option, an option of the wrong type, or a `key`
         *   that is not 16 bytes
         */
        public static function decode(string $body, #[\SensitiveParameter] array $headers, #[\SensitiveParameter] ?array $options = null): \GlpiAgentProtocol\Request
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The message's `deviceid` (JSON) or `DEVICEID` (XML).
         *
         * @return string|null the device id, or null when the message has none
         */
        public function deviceId(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Whether the body came encrypted (and was opened with the `key` option); its answer
         * is encrypted too.
         *
         * @return bool true for an encrypted request
         */
        public function isEncrypted(): bool
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * For an encrypted request: its unique message id, to record until `messageKeepUntil()`
         * so that a replay is refused; null for a plain request.
         *
         * @return non-empty-string|null 24 hex digits, or null for a plain request
         */
        public function messageId(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Unix time until which `messageId()` must be remembered.
         *
         * @return int|null a Unix time, or null for a plain request
         */
        public function messageKeepUntil(): ?int
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * How the message was written: `'json'`, or `'xml'` for a legacy XML request.
         *
         * @return 'json'|'xml' the request's mode
         */
        public function mode(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * `GLPI-Proxy-ID`, first proxy first.
         *
         * @return list<non-empty-string> the proxies' agent ids, empty when the request came direct
         */
        public function proxyIds(): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * `GLPI-Request-ID` when it is valid (8 upper-case hex digits); otherwise null.
         *
         * @return non-empty-string|null the request id, echoed in the answer
         */
        public function requestId(): ?string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Validates the request's message as `Inventory::validate()` does (same options): the
         * JSON message, or a legacy XML inventory as `Inventory::fromXml()` converts it (whose
         * refusals, a ProtocolException 400, it throws).
         *
         * @param array{mode?: 'strict'|'lenient', tolerate_strings?: bool, max_violations?: positive-int,
         *   schema?: string|null, extra_itemtypes?: list<string>, extra_properties?: array<string, mixed>,
         *   extra_sub_properties?: array<string, array<string, mixed>>}|null $options as for
         *   `Inventory::validate()`
         * @return Validation the verdict, the violations and, in lenient mode, the salvaged message
         * @throws \GlpiAgentProtocol\ProtocolException 400 for a legacy XML inventory that
         *   cannot be converted
         * @throws \ValueError for an unknown option, an option of the wrong type, or a schema
         *   that cannot be read or compiled
         */
        public function validate(?array $options = null): \GlpiAgentProtocol\Validation
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * An answer ready to send: status, headers and body, encoded as the request asked.
     * Built only by its static methods.
     */
    class Response
    {
        /**
         * Not instantiable: the extension's own methods make the objects (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The bytes to send: compressed and encrypted as the request was.
         *
         * @return string the body
         */
        public function body(): string
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The error answer for `$e` with its status (`getCode()`) and `getAnswer()`; XML for a
         * legacy agent's request, JSON otherwise. A 401 carries `WWW-Authenticate: Basic`
         * with `$realm`, since agents retry with credentials only when it is present.
         * The engine-level type of `$e` is `object`: another class is a `\ValueError`.
         *
         * @param ProtocolException $e the refusal to answer with
         * @param Request|null $request the request refused, or null when it could not be decoded
         * @param string $realm the realm of `WWW-Authenticate` in a 401 answer
         * @return Response the error answer, with `$e`'s status
         * @throws \ValueError when `$e` is not a `ProtocolException`, or its expiration is not a
         *   positive delay
         */
        public static function forError(object $e, ?\GlpiAgentProtocol\Request $request = null, string $realm = 'GLPI'): \GlpiAgentProtocol\Response
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The answer to `$request`: JSON (validated: `status` required, `expiration` a positive
         * delay), in the request's compression or the one its `Accept` prefers, with
         * `GLPI-Agent-ID` and `GLPI-Request-ID` echoed, encrypted when the request was.
         *
         * @param Request $request the request being answered
         * @param array{status: non-empty-string, expiration?: string|int, message?: string, ...} $answer
         *   the JSON answer (spec 3.3.2): `status` a lower-case token such as `'ok'`, `'error'`
         *   or `'pending'`; written as `json_encode` writes it
         * @return Response the answer, status 200
         * @throws \ValueError for an answer without a valid `status`, with an `expiration`
         *   that is not a positive delay, or that `json_encode` cannot write
         */
        public static function forRequest(\GlpiAgentProtocol\Request $request, array $answer): \GlpiAgentProtocol\Response
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Header name => value, `Content-Length` excepted (the web server or `send()` adds it).
         *
         * @return array<string, string> the headers to send, such as `Content-Type`
         */
        public function headers(): mixed
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The answer to a PROLOG, as GLPI gives it: JSON `{"status":"ok","expiration":N}` when
         * the request carries `GLPI-Agent-ID`, else the legacy XML reply
         * `<PROLOG_FREQ>N</PROLOG_FREQ><RESPONSE>SEND</RESPONSE>` (N in hours).
         *
         * @param Request $request the PROLOG request
         * @param positive-int $freq_hours hours until the agent's next contact
         * @return Response the answer, status 200
         * @throws \ValueError for a `$freq_hours` that is not positive
         */
        public static function prolog(\GlpiAgentProtocol\Request $request, int $freq_hours = 24): \GlpiAgentProtocol\Response
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Drops any output PHP has buffered (a stray BOM or newline before a compressed body
         * makes agents fail with "can't uncompress content"), then sends status, headers and body.
         *
         * @return void
         */
        public function send(): void
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The HTTP status to send.
         *
         * @return int<200, 599> 200, or the refusal's 4xx or 5xx status
         */
        public function status(): int
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The acknowledgement of a legacy XML inventory (`<RESPONSE>SEND</RESPONSE>`).
         *
         * @param Request $request the XML inventory request
         * @return Response the answer, status 200, in the request's compression
         */
        public static function xmlAck(\GlpiAgentProtocol\Request $request): \GlpiAgentProtocol\Response
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * The result of validating an inventory: GLPI's verdict, every violation, and in lenient
     * mode the message with each offending part removed. Built by `Inventory::validate()` and
     * `Request::validate()`.
     */
    class Validation
    {
        /**
         * Not instantiable: the extension's own methods make the objects (`new` throws an \Exception).
         */
        private function __construct()
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Strict: the message as given. Lenient: the message without the offending parts, or
         * null when it cannot be salvaged.
         *
         * @return array<array-key, mixed>|object|null the message, in the form it was given in
         */
        public function content(): mixed
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Lenient: each removed part (`pointer`) with the first violation it held.
         *
         * @return list<array{pointer: string, keyword: string, message: string}> what was
         *   removed; empty in strict mode
         */
        public function dropped(): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * The verdict GLPI's server gives (strict), or whether the message could be salvaged
         * (lenient).
         *
         * @return bool true when GLPI accepts the message (strict), or it could be salvaged (lenient)
         */
        public function isValid(): bool
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }

        /**
         * Every violation, the one GLPI reports first at index 0: `pointer`, `keyword`, `message`.
         *
         * @return list<array{pointer: string, keyword: string, message: string}> each violation:
         *   an RFC 6901 pointer into the message, the JSON Schema keyword that failed (`depth` for
         *   nesting beyond what GLPI accepts), and a message that never embeds whole objects
         */
        public function violations(): array
        {
            throw new \Error('the glpi_agent_protocol extension is not loaded');
        }
    }

    /**
     * The certificate's fingerprint as glpi-agent's `ssl-fingerprint` option takes it
     * (IO::Socket::SSL's `algo$hex`, e.g. `sha256$af04...`): configure agents with it
     * instead of running them once with `no-ssl-check`. `$algorithm`: sha256 (default),
     * sha1, sha384, sha512.
     *
     * @param string $certificate the certificate (PEM or DER)
     * @param 'sha256'|'sha1'|'sha384'|'sha512' $algorithm the digest
     * @return non-empty-string `algo$hex`, the hex in lower case
     * @throws \GlpiAgentProtocol\ProtocolException 400 `bad certificate` for bytes that are
     *   not one certificate
     * @throws \ValueError for an unknown algorithm
     */
    function certificate_fingerprint(string $certificate, string $algorithm = 'sha256'): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Checks an `Authorization: Basic` header in constant time. Strings are bytes: a header
     * that is not UTF-8 is wrong credentials, not a `TypeError`.
     *
     * @param string|null $authorization_header the request's `Authorization` header, or null
     * @param string $login the expected login
     * @param string $password the expected password
     * @return bool whether the header carries exactly these credentials
     */
    function check_basic_auth(#[\SensitiveParameter] ?string $authorization_header, string $login, #[\SensitiveParameter] string $password): bool
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Checks a PKCS#10 request (PEM or DER): its key (RSA 2048 to 8192 bits, ECDSA P-256 or
     * P-384, Ed25519) and its signature. Returns `['key_type' => 'rsa-2048'|'ecdsa-p256'|
     * 'ecdsa-p384'|'ed25519', 'requested_subject' => the subject asked for, which is never
     * granted]`; throws 400 `bad csr`, `csr signature invalid` or `csr key refused`.
     *
     * @param string $csr the PKCS#10 request (PEM or DER)
     * @param int $max_certificate_bytes the largest request accepted; 0 for
     *   `glpi_agent_protocol.max_certificate_bytes`
     * @return array{key_type: non-empty-string, requested_subject: string}
     *   the request's key type (`rsa-<bits>`, `ecdsa-p256`, `ecdsa-p384` or `ed25519`) and the
     *   subject it asks for
     * @throws \GlpiAgentProtocol\ProtocolException 400 `bad csr`, `csr signature invalid` or
     *   `csr key refused`
     * @throws \ValueError for a negative `$max_certificate_bytes`
     */
    function check_csr(string $csr, int $max_certificate_bytes = 0): array
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Compresses `$data` in one of `none`, `zlib`, `gzip`, `deflate`, `br`; `$level` -1 is
     * each format's default (zlib's default level gives the `78 9c` header old agents need).
     *
     * @param string $data the bytes to compress
     * @param string $encoding `'none'`, `'zlib'`, `'gzip'`, `'deflate'` or `'br'`
     * @param int $level the format's compression level, -1 for its default
     * @return string the compressed bytes
     * @throws \ValueError for an unknown encoding or a level the format does not have
     */
    function compress(string $data, string $encoding, int $level = -1): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * `json_decode($json, $assoc, $depth)` with the same result, faster; errors throw a
     * `ProtocolException`. `$invalid_utf8` is `'error'` or `'substitute'` (as
     * `JSON_INVALID_UTF8_SUBSTITUTE`).
     *
     * @param string $json the JSON text
     * @param bool $assoc objects as arrays, as `json_decode`'s `$associative`
     * @param positive-int $depth the deepest nesting accepted, as `json_decode`'s `$depth`
     * @param 'error'|'substitute' $invalid_utf8 refuse invalid UTF-8, or replace it with U+FFFD
     * @return array<array-key, mixed>|object|string|int|float|bool|null the decoded value
     * @throws \GlpiAgentProtocol\ProtocolException 400 `malformed json`, `json too deep` or
     *   `invalid utf-8`; 413 for a document past the limits
     * @throws \ValueError for a `$depth` or `$invalid_utf8` that `json_decode` would refuse
     */
    function decode_json(string $json, bool $assoc = false, int $depth = 512, string $invalid_utf8 = 'error'): mixed
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Decompresses `$data`, bounded: more than `$max_bytes` of output (0: the INI default)
     * or an absurd compression ratio throws a 413 `ProtocolException` early.
     *
     * @param string $data the compressed bytes
     * @param string $encoding `'none'`, `'zlib'`, `'gzip'`, `'deflate'` or `'br'`
     * @param int $max_bytes the most output accepted; 0 for `glpi_agent_protocol.max_decoded_bytes`
     * @return string the decompressed bytes
     * @throws \GlpiAgentProtocol\ProtocolException 413 `payload too large` or `compression ratio
     *   too high`; 400 `corrupt compressed data` or `truncated compressed data`
     * @throws \ValueError for an unknown encoding or a negative `$max_bytes`
     */
    function decompress(string $data, string $encoding, int $max_bytes = 0): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * The shortest exact delay definition for `$seconds` (`86400` is `"1d"`); 0 and negative
     * values are refused, since agents reject an expiration of 0.
     *
     * @param int $seconds a positive number of seconds
     * @return non-empty-string a delay such as `"1d"`, `"90m"` or `"45s"`
     * @throws \ValueError for 0, a negative `$seconds`, or one past the longest delay allowed
     */
    function format_expiration(int $seconds): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * 128 bits from the OS CSPRNG, written as a UUID string: a REGISTER token.
     *
     * @return non-empty-string the token, 36 characters (lower-case hex and dashes)
     * @throws \Random\RandomException when the operating system's random generator fails
     */
    function generate_token(): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * The content type to answer with, from the request's `Accept` (RFC 7231) and its own
     * content type (mirrored when there is no `Accept`).
     *
     * @param string|null $accept the request's `Accept` header, null when it has none
     * @param string|null $content_type the request's `Content-Type`, null when it has none
     * @return string a content type this extension can answer in
     * @throws \GlpiAgentProtocol\ProtocolException 406 `not acceptable` when `Accept` rules out
     *   every type the protocol answers in
     */
    function negotiate(?string $accept = null, ?string $content_type = null): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Opens an envelope made by `seal_message()` (or any implementation of the format),
     * checking its authenticity, its binding to `$agent_id` / `$cryptokey_id` /
     * `$direction`, and its freshness (`$max_age` seconds; 0: the INI default). Returns
     * `['content_type' => inner type, 'body' => bytes, 'message_id' => 24 hex digits,
     * 'timestamp' => int, 'keep_until' => int]`. Replays are the caller's to refuse: record
     * `message_id` until `keep_until` before acting on the body.
     *
     * @param string $envelope what `seal_message()` made
     * @param string $key the 16-byte session key
     * @param string $agent_id the agent the message is for or from (a UUID string)
     * @param string|null $cryptokey_id the agent whose key it is; null for `$agent_id` itself
     * @param 'agent-to-server'|'server-to-agent' $direction which way the message goes
     * @param int $max_age the oldest envelope accepted, in seconds; 0 for
     *   `glpi_agent_protocol.message_max_age`
     * @return array{content_type: string, body: string, message_id: non-empty-string,
     *   timestamp: int, keep_until: int} the inner message and what a replay check needs
     * @throws \GlpiAgentProtocol\ProtocolException `decryption failed` for a wrong key,
     *   binding or altered envelope; `stale message` for one older than `$max_age`; 400
     *   `bad agent id` or `bad cryptokey id` for an id that is not a UUID string
     * @throws \ValueError for a key that is not 16 bytes, an unknown direction or a negative
     *   `$max_age`
     */
    function open_message(string $envelope, #[\SensitiveParameter] string $key, string $agent_id, ?string $cryptokey_id = null, string $direction = 'server-to-agent', int $max_age = 0): array
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Seconds in a delay definition (spec 3.3.2): `"1d"`, `"30s"`, `"24"` or `24` (hours).
     * The engine-level type is `mixed`; any other type than string or int is a `\ValueError`.
     *
     * @param string|int $delay a positive integer with an optional unit `s`, `m`, `h` or `d`
     *   (none: hours), or an int of hours
     * @return positive-int the delay in seconds
     * @throws \ValueError for anything that is not a positive delay
     */
    function parse_expiration(mixed $delay): int
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Checks a decoded REGISTER message (`Request::content()`, as array or object) against
     * spec 6.1.1 and 6.1.3. Returns `['type' => 'register', 'deviceid', 'port' (int),
     * 'name', 'version', 'tag' (?string), 'csr' (only when sent: a PKCS#10 request whose key
     * and signature were checked, or a 400 `bad csr`, `csr signature invalid`, `csr key
     * refused`)]` for a first message, `['type' => 'answer',
     * 'answer' => uuid]` for a token validation message, or `['type' => 'failure', 'reason'
     * => the agent's text]` when the agent gave up on the challenge. Anything else throws a
     * 400 `ProtocolException` `bad-format`. The engine-level type of `$content` is `mixed`:
     * anything but an array or an object is `bad-format` too.
     *
     * @param array<array-key, mixed>|object $content the decoded message
     * @return array{type: 'register', deviceid: string, port: int, name: string, version: string,
     *   tag: string|null, csr?: string}|array{type: 'answer', answer: string}|array{type:
     *   'failure', reason: string} what the message asks
     * @throws \GlpiAgentProtocol\ProtocolException 400 `bad-format` for a message that is not
     *   a REGISTER message; 400 `bad csr`, `csr signature invalid` or `csr key refused` for a
     *   refused `csr`
     */
    function register_message(mixed $content): array
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Encrypts `$body` (already compressed, if it is to be; `$content_type` says how) under
     * the 16-byte session `$key`, for the message of `$agent_id` whose key belongs to
     * `$cryptokey_id` (null: the agent itself). `$direction` is `agent-to-server` or
     * `server-to-agent`. Send the result with `Content-Type: application/x-glpi-encrypted`.
     *
     * @param string $body the message bytes, compressed already if they are to be
     * @param string $content_type the content type of `$body`, such as `application/json`
     * @param string $key the 16-byte session key
     * @param string $agent_id the agent the message is for or from (a UUID string)
     * @param string|null $cryptokey_id the agent whose key it is; null for `$agent_id` itself
     * @param 'agent-to-server'|'server-to-agent' $direction which way the message goes
     * @return string the envelope
     * @throws \ValueError for a key that is not 16 bytes, an unknown direction, an agent id or
     *   cryptokey id that is not a UUID string, or a content type that cannot be sealed
     * @throws \Random\RandomException when the operating system's random generator fails
     */
    function seal_message(string $body, string $content_type, #[\SensitiveParameter] string $key, string $agent_id, ?string $cryptokey_id = null, string $direction = 'agent-to-server'): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * RFC 3394 unwrap; a wrong KEK or altered input throws `decryption failed`.
     *
     * @param string $wrapped what `wrap_key()` returned
     * @param string $kek the key-encryption key it was wrapped under: 16, 24 or 32 raw bytes
     * @return string the key
     * @throws \GlpiAgentProtocol\ProtocolException `decryption failed` for a wrong KEK or
     *   altered input
     * @throws \ValueError for a KEK or wrapped key of a wrong length
     */
    function unwrap_key(string $wrapped, #[\SensitiveParameter] string $kek): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * Verifies the client certificate the web server passed on (nginx
     * `$ssl_client_escaped_cert`, Apache `SSL_CLIENT_CERT`: PEM, URL-escaped or not; an
     * empty string means none was presented) against the CA certificate. Options:
     * `revoked` (serials, hex in any case, colons allowed), `agent_id` (the request's
     * `GLPI-Agent-ID`, which the certificate must name), `restrict` (`['cn' => [...], 'ou'
     * => [...], 'o' => [...], 'email' => [...]]`, each a list or a `$`-separated string of
     * allowed values), `time` (Unix time to judge validity at), `max_certificate_bytes`.
     * Returns `['agent_id', 'serial', 'subject', 'cn', 'ou', 'o', 'email', 'not_before',
     * 'not_after', 'fingerprint']`; any refusal is a `ProtocolException` with its own token.
     *
     * @param string $certificate the client certificate as the web server passes it on
     * @param string $ca_certificate the CA certificate (PEM)
     * @param array{revoked?: list<string>|string, agent_id?: string|null,
     *   restrict?: array{cn?: list<string>|string, ou?: list<string>|string,
     *   o?: list<string>|string, email?: list<string>|string}, time?: int,
     *   max_certificate_bytes?: positive-int}|null $options the checks beyond the chain and
     *   validity period
     * @return array{agent_id: string, serial: string, subject: string, cn: string|null,
     *   ou: string|null, o: string|null, email: string|null, not_before: int, not_after: int,
     *   fingerprint: string} who the certificate names and what to record of it
     * @throws \GlpiAgentProtocol\ProtocolException `certificate required`, `bad certificate`,
     *   `unknown certificate authority`, `certificate expired`, `certificate not yet valid`,
     *   `certificate revoked`, `certificate not for clients`, `certificate subject refused` or
     *   `certificate agent mismatch`
     * @throws \ValueError for an unknown option, an option of the wrong type, or a CA
     *   certificate that does not parse
     */
    function verify_client_certificate(string $certificate, string $ca_certificate, ?array $options = null): array
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * The extension's version, as `phpversion('glpi_agent_protocol')` gives it.
     *
     * @return non-empty-string a semantic version such as `"0.1.0"`
     */
    function version(): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }

    /**
     * RFC 3394 AES key wrap of `$key` under `$kek` (16, 24 or 32 bytes).
     *
     * @param string $key the key to wrap: raw bytes, a multiple of 8 bytes, at least 16
     * @param string $kek the key-encryption key: 16, 24 or 32 raw bytes
     * @return string the wrapped key, 8 bytes longer than `$key`
     * @throws \ValueError for a key or KEK of a wrong length
     */
    function wrap_key(#[\SensitiveParameter] string $key, #[\SensitiveParameter] string $kek): string
    {
        throw new \Error('the glpi_agent_protocol extension is not loaded');
    }
}
