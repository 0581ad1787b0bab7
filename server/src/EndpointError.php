<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;

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

    /** A refusal the extension names: its token, with the status the extension gives it. */
    public static function protocol(string $token): self
    {
        return new self(self::statusOf($token), $token);
    }

    /** The status the extension answers one of its tokens with. */
    public static function statusOf(string $token): int
    {
        return ProtocolException::statusOf($token)
            ?? throw new \LogicException("not a token of the extension: $token");
    }

    public static function badFormat(): self
    {
        return self::protocol(ProtocolException::BAD_FORMAT);
    }

    public static function badAgentId(): self
    {
        return self::protocol(ProtocolException::BAD_AGENT_ID);
    }

    public static function badRequestId(): self
    {
        return new self(400, 'bad request id');
    }

    /** The codec adds WWW-Authenticate with the configured realm. */
    public static function unauthorized(): self
    {
        return self::protocol(ProtocolException::UNAUTHORIZED);
    }

    public static function unknownRequest(): self
    {
        return new self(404, 'unknown request');
    }

    public static function proxyLoop(): self
    {
        return self::protocol(ProtocolException::PROXY_LOOP_DETECTED);
    }

    public static function tooManyProxy(): self
    {
        return self::protocol(ProtocolException::TOO_MANY_PROXY);
    }

    public static function methodNotAllowed(): self
    {
        return new self(ProtocolException::statusOf(ProtocolException::METHOD_NOT_ALLOWED), ProtocolException::METHOD_NOT_ALLOWED, ['Allow' => 'POST, GET']);
    }

    public static function payloadTooLarge(): self
    {
        return self::protocol(ProtocolException::PAYLOAD_TOO_LARGE);
    }

    public static function unsupportedContentType(): self
    {
        return self::protocol(ProtocolException::UNSUPPORTED_CONTENT_TYPE);
    }

    public static function unsupportedAction(): self
    {
        return self::protocol(ProtocolException::UNSUPPORTED_ACTION);
    }

    /** A REGISTER or registration refusal: the agent retries after $retry. */
    public static function register(int $status, string $token, int|string $retry): self
    {
        return new self($status, $token, [], null, false, $retry);
    }

    public static function busy(?\Throwable $previous = null): self
    {
        return new self(ProtocolException::statusOf(ProtocolException::BUSY_SERVER), ProtocolException::BUSY_SERVER, [], $previous, true);
    }

    public static function internal(?\Throwable $previous = null): self
    {
        return new self(500, 'internal error', [], $previous);
    }
}
