<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;
use GlpiAgentProtocol\Request;
use GlpiAgentProtocol\Response;

use function GlpiAgentProtocol\compress;

/** Decoding and answers through the glpi_agent_protocol extension's public API only. */
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

    public function answer(object $request, array $answer, int $status = 200): HttpReply
    {
        return HttpReply::fromResponse(Response::forRequest($request, $answer), $status === 200 ? null : $status);
    }

    public function xmlReply(object $request, array $fields, int $status = 200): HttpReply
    {
        $encoding = $request->compression();
        $xml = Wire::replyXml($fields);
        $headers = ['Content-Type' => Wire::contentType($encoding, 'xml'), 'Pragma' => 'no-cache'];
        if ($request->requestId() !== null) {
            $headers['GLPI-Request-ID'] = $request->requestId();
        }
        return new HttpReply($status, $headers, $encoding === 'none' ? $xml : compress($xml, $encoding));
    }

    public function errorReply(EndpointError $error, ?object $request): ?HttpReply
    {
        $e = $error->getPrevious();
        return $e instanceof ProtocolException ? HttpReply::fromResponse(Response::forError($e, $request)) : null;
    }
}
