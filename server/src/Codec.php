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
 * proxyIds(), content(), body(), isEncrypted().
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
     * A JSON answer (status 200), compressed like the request.
     *
     * @param array<string, mixed> $answer
     */
    public function answer(object $request, array $answer): HttpReply;

    /** The legacy XML answer to a PROLOG: <PROLOG_FREQ>$hours</PROLOG_FREQ><RESPONSE>SEND</RESPONSE>. */
    public function prologReply(object $request, int $hours): HttpReply;

    /** The legacy XML acknowledgement of an inventory: <RESPONSE>SEND</RESPONSE>. */
    public function ackReply(object $request): HttpReply;

    /**
     * The answer to a refusal, with its status: plain JSON without a request, the legacy
     * <REPLY><ERROR> to a legacy agent, else a JSON error answer mirroring the request.
     * A 401 carries WWW-Authenticate for $realm.
     */
    public function errorReply(EndpointError $error, ?object $request, int|string $expiration, string $realm): HttpReply;

    /**
     * The JSON inventory checked against GLPI's inventory_format. $options: 'mode'
     * ('strict' or 'lenient'), 'glpi_inventory_format' (the baseline's library, or null).
     * Null when this codec cannot check it (it is then stored unchecked); else
     * ['valid' => bool, 'violations' => list of ['pointer', 'keyword', 'message'],
     *  'content' => the message to store (lenient: without what was dropped; null when
     *  nothing can be kept), 'dropped' => list of ['pointer', 'keyword', 'message']].
     *
     * @param array<string, mixed> $options
     * @return array{valid: bool, violations: list<array<string, string>>, content: mixed, dropped: list<array<string, string>>}|null
     */
    public function validateInventory(object $request, mixed $content, array $options): ?array;

    /**
     * Spec 3.2.7 at the end of the chain: this server's id ($serverId) or the requesting
     * agent in GLPI-Proxy-ID, or one proxy twice, is a loop; a chain longer than
     * max_proxies is too long. Both are 404.
     * @throws EndpointError
     */
    public function checkProxyChain(object $request, ?string $serverId): void;

    public function name(): string;

    /**
     * The JSON inventory a legacy XML inventory converts to, as GLPI's Converter makes it
     * (stdClass objects), or null where this codec does not convert.
     * @throws EndpointError when the XML cannot be converted
     */
    public function convertXml(object $request): ?object;
}
