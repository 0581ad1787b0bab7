<?php

// Stubs for the glpi_agent_protocol extension 0.1.0.
// Generated from the built extension by scripts/gen-stubs.php (make stubs): do not edit.

// @generated

namespace GlpiAgentProtocol {
    class CertificateAuthority
    {
        public function __construct() {}
        public static function create(string $common_name, int $validity_days = 3650, string $algorithm = 'ecdsa-p256'): mixed {}
        public static function issue(string $ca_certificate, #[\SensitiveParameter] string $ca_key, string $csr, string $agent_id, int $validity_seconds, ?int $not_before = null, int $max_certificate_bytes = 0): mixed {}
    }

    class Inventory
    {
        public function __construct() {}
        public static function fromXml(string $xml, ?array $options = null): mixed {}
        public static function validate(mixed $message, ?array $options = null): \GlpiAgentProtocol\Validation {}
    }

    class ProtocolException extends \RuntimeException
    {
        protected $token = '';
        protected $legacyAgent = false;
        protected $expiration = null;
        public function __construct(string $token, int $code = 400, ?string $message = null, mixed $expiration = null) {}
        public function getAnswer(): array {}
        public function getExpiration(): mixed {}
        public function getToken(): string {}
    }

    class RegisterAgent
    {
        public function __construct() {}
        public static function answer(#[\SensitiveParameter] string $token, string $agent_id, string $challenge): mixed {}
        public static function finish(#[\SensitiveParameter] string $token, string $state, string $challenge, ?string $crypto = null): ?string {}
    }

    class RegisterServer
    {
        public function __construct() {}
        public static function challenge(#[\SensitiveParameter] string $token, string $agent_id): mixed {}
        public static function verify(#[\SensitiveParameter] string $token, string $state, string $answer, int $max_age = 0): mixed {}
    }

    class Request
    {
        public function __construct() {}
        public function action(): string {}
        public function agentId(): ?string {}
        public function body(): string {}
        public function compression(): string {}
        public function content(): mixed {}
        public function contentType(): ?string {}
        public function cryptoKeyId(): ?string {}
        public static function decode(string $body, #[\SensitiveParameter] array $headers, #[\SensitiveParameter] ?array $options = null): \GlpiAgentProtocol\Request {}
        public function deviceId(): ?string {}
        public function isEncrypted(): bool {}
        public function messageId(): ?string {}
        public function messageKeepUntil(): ?int {}
        public function mode(): string {}
        public function proxyIds(): array {}
        public function requestId(): ?string {}
        public function validate(?array $options = null): \GlpiAgentProtocol\Validation {}
    }

    class Response
    {
        public function __construct() {}
        public function body(): string {}
        public static function forError(object $e, ?\GlpiAgentProtocol\Request $request = null, string $realm = 'GLPI'): \GlpiAgentProtocol\Response {}
        public static function forRequest(\GlpiAgentProtocol\Request $request, array $answer): \GlpiAgentProtocol\Response {}
        public function headers(): mixed {}
        public static function prolog(\GlpiAgentProtocol\Request $request, int $freq_hours = 24): \GlpiAgentProtocol\Response {}
        public function send(): void {}
        public function status(): int {}
        public static function xmlAck(\GlpiAgentProtocol\Request $request): \GlpiAgentProtocol\Response {}
    }

    class Validation
    {
        public function __construct() {}
        public function content(): mixed {}
        public function dropped(): mixed {}
        public function isValid(): bool {}
        public function violations(): mixed {}
    }

    function certificate_fingerprint(string $certificate, string $algorithm = 'sha256'): string {}
    function check_basic_auth(#[\SensitiveParameter] ?string $authorization_header, string $login, #[\SensitiveParameter] string $password): bool {}
    function check_csr(string $csr, int $max_certificate_bytes = 0): mixed {}
    function compress(string $data, string $encoding, int $level = -1): string {}
    function decode_json(string $json, bool $assoc = false, int $depth = 512, string $invalid_utf8 = 'error'): mixed {}
    function decompress(string $data, string $encoding, int $max_bytes = 0): string {}
    function format_expiration(int $seconds): string {}
    function generate_token(): string {}
    function negotiate(?string $accept = null, ?string $content_type = null): string {}
    function open_message(string $envelope, #[\SensitiveParameter] string $key, string $agent_id, ?string $cryptokey_id = null, string $direction = 'server-to-agent', int $max_age = 0): mixed {}
    function parse_expiration(mixed $delay): int {}
    function register_message(mixed $content): mixed {}
    function seal_message(string $body, string $content_type, #[\SensitiveParameter] string $key, string $agent_id, ?string $cryptokey_id = null, string $direction = 'agent-to-server'): string {}
    function unwrap_key(string $wrapped, #[\SensitiveParameter] string $kek): string {}
    function verify_client_certificate(string $certificate, string $ca_certificate, ?array $options = null): mixed {}
    function version(): string {}
    function wrap_key(#[\SensitiveParameter] string $key, #[\SensitiveParameter] string $kek): string {}
}
