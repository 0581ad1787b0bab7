<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * How request bodies are decoded and answers encoded. ExtensionCodec uses the
 * glpi_agent_protocol extension; BaselineCodec does what GLPI does with PHP's own
 * functions, so that both can be measured with everything else equal.
 *
 * A decoded request is an object with the methods of GlpiAgentProtocol\Request that the
 * controller calls: mode(), compression(), action(), deviceId(), agentId(), requestId(),
 * proxyIds(), content(), body().
 */
interface Codec
{
    /**
     * @param array<string, mixed> $headers
     * @param array<string, mixed> $options Request::decode() options
     * @throws EndpointError
     */
    public function decode(string $body, array $headers, array $options): object;

    /**
     * The whole JSON message (objects, as json_decode gives by default).
     *
     * @throws EndpointError
     */
    public function content(object $request): mixed;

    /**
     * A JSON answer, compressed like the request.
     *
     * @param array<string, mixed> $answer
     */
    public function answer(object $request, array $answer, int $status = 200): HttpReply;

    /**
     * A legacy XML <REPLY>, compressed like the request.
     *
     * @param array<string, mixed> $fields
     */
    public function xmlReply(object $request, array $fields, int $status = 200): HttpReply;

    /**
     * The answer to an error the codec itself raised while decoding, when it has its own;
     * null lets the controller build it.
     */
    public function errorReply(EndpointError $error, ?object $request): ?HttpReply;

    public function name(): string;
}
