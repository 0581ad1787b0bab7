<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * A refusal the endpoint answers with: an HTTP status and the error token sent as the
 * answer's "message" (spec 3.3.3). Errors the extension detects keep their
 * GlpiAgentProtocol\ProtocolException as the previous exception so that its own answer
 * (Response::forError) is the one sent.
 */
final class EndpointError extends \RuntimeException
{
    /** @param array<string, string> $headers extra answer headers (Allow) */
    public function __construct(
        public readonly int $status,
        public readonly string $token,
        public readonly array $headers = [],
        ?\Throwable $previous = null,
        public readonly bool $busy = false,
        // The delay before the agent tries again, when not the usual one (REGISTER errors).
        public readonly int|string|null $expiration = null,
    ) {
        parent::__construct($token, $status, $previous);
    }

    public static function fromProtocol(\Throwable $e): self
    {
        // GlpiAgentProtocol\ProtocolException: getCode() is the status, getToken() the token.
        return new self((int) $e->getCode(), $e->getToken(), [], $e);
    }

    public static function badFormat(): self
    {
        return new self(400, 'bad-format');
    }

    public static function badAgentId(): self
    {
        return new self(400, 'bad agent id');
    }

    public static function badRequestId(): self
    {
        return new self(400, 'bad request id');
    }

    /** The codec adds WWW-Authenticate with the configured realm. */
    public static function unauthorized(): self
    {
        return new self(401, 'unauthorized');
    }

    public static function unknownRequest(): self
    {
        return new self(404, 'unknown request');
    }

    public static function proxyLoop(): self
    {
        return new self(404, 'proxy-loop-detected');
    }

    public static function tooManyProxy(): self
    {
        return new self(404, 'too-many-proxy');
    }

    public static function methodNotAllowed(): self
    {
        return new self(405, 'method not allowed', ['Allow' => 'POST, GET']);
    }

    public static function payloadTooLarge(): self
    {
        return new self(413, 'payload too large');
    }

    public static function unsupportedContentType(): self
    {
        return new self(415, 'unsupported content-type');
    }

    public static function unsupportedAction(): self
    {
        return new self(501, 'unsupported action');
    }

    /** A REGISTER or registration refusal: the agent retries after $retry. */
    public static function register(int $status, string $token, int|string $retry): self
    {
        return new self($status, $token, [], null, false, $retry);
    }

    public static function busy(?\Throwable $previous = null): self
    {
        return new self(503, 'busy server', [], $previous, true);
    }

    public static function internal(?\Throwable $previous = null): self
    {
        return new self(500, 'internal error', [], $previous);
    }
}
