<?php

// Stubs for the glpi_agent_protocol extension 0.1.0.
// Generated from the built extension by scripts/gen-stubs.php (make stubs): do not edit.

// @generated

namespace GlpiAgentProtocol {
    class ProtocolException extends \RuntimeException
    {
        protected $token = '';
        protected $expiration = null;
        public function __construct(string $token, int $code = 400, ?string $message = null, mixed $expiration = null) {}
        public function getAnswer(): array {}
        public function getExpiration(): mixed {}
        public function getToken(): string {}
    }

    function version(): string {}
}
