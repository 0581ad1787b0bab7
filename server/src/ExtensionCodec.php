<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\Inventory;
use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;

/**
 * Decoding and answers through the glpi_agent_protocol extension's public API only: this
 * file is every call a GLPI endpoint makes into the extension.
 */
final class ExtensionCodec implements Codec
{
    public function name(): string
    {
        return 'extension';
    }

    public function decode(string $body, array $headers, array $options): object
    {
        try {
            return Request::decode($body, $headers, $options);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
    }

    public function content(object $request): mixed
    {
        try {
            return $request->content();
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
    }

    public function convertXml(object $request): ?object
    {
        try {
            return Inventory::fromXml($request->body());
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
    }

    public function answer(object $request, array $answer): HttpReply
    {
        return self::reply(fn (): Response => Response::forRequest($request, $answer));
    }

    public function prologReply(object $request, int $hours): HttpReply
    {
        return self::reply(fn (): Response => Response::prolog($request, $hours));
    }

    public function ackReply(object $request): HttpReply
    {
        return self::reply(fn (): Response => Response::xmlAck($request));
    }

    /**
     * An answer the extension encodes. It can refuse the request too (an Accept that admits
     * none of the types the answer could take is 406): that refusal is the agent's, and is
     * answered and logged as one, not as an internal error.
     *
     * @param \Closure(): Response $encode
     */
    private static function reply(\Closure $encode): HttpReply
    {
        try {
            return HttpReply::fromResponse($encode());
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
    }

    public function validateInventory(object $request, mixed $content, array $options): ?array
    {
        $mode = ['mode' => $options['mode'] ?? 'strict'];
        // A legacy XML inventory is validated as the message it was converted to.
        $v = $request->mode() === 'json' ? $request->validate($mode) : Inventory::validate($content, $mode);
        return [
            'valid' => $v->isValid(),
            'violations' => $v->violations(),
            'content' => $v->content(),
            'dropped' => $v->dropped(),
        ];
    }

    public function checkProxyChain(object $request, ?string $serverId): void
    {
        try {
            $request->checkProxyChain($serverId);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        }
    }

    public function errorReply(EndpointError $error, ?object $request, int|string $expiration, string $realm): HttpReply
    {
        // The extension's own refusals keep their exception; the endpoint's become one.
        $e = $error->getPrevious();
        if (!$e instanceof ProtocolException) {
            $e = new ProtocolException($error->token, $error->status, null, $expiration);
        }
        return HttpReply::fromResponse(Response::forError($e, $request, $realm), null, $error->headers);
    }
}
