<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;

/**
 * What GLPI 10 does with PHP's own functions (Glpi\Agent\Communication\AbstractRequest):
 * gzuncompress / gzdecode / gzinflate by content type, a json_decode that checks the body
 * is JSON, then a second json_decode that builds the objects; answers through json_encode
 * and gzcompress / gzencode / gzdeflate. Brotli needs a PHP extension Debian does not ship,
 * so it is refused with 415 as GLPI refuses it without that extension.
 *
 * Headers are checked as strictly as the extension checks them, so that the two modes
 * differ only in decoding and encoding cost. The one departure from GLPI: decompression is
 * capped at max_decoded_bytes, which GLPI does not do, so that the baseline cannot be
 * knocked over by one zlib bomb during a benchmark.
 */
final class BaselineCodec implements Codec
{
    private const DEFAULT_MAX_DECODED = 64 << 20;

    public function __construct(private int $maxProxies = 5)
    {
    }

    public function name(): string
    {
        return 'baseline';
    }

    /** Whether the missing GLPI library was already reported by this process. */
    private static bool $libraryMissingNoted = false;

    /**
     * What GLPI's Inventory does with every JSON inventory (setData(), then doInventory()):
     * a Converter's schema built from inventory.schema.json, imported into swaggest and run
     * with tolerateStrings, then two more builds. GLPI keeps nothing of an invalid
     * inventory, so lenient is strict here. Without GLPI's library the inventory is stored
     * unchecked and the error log says so once.
     */
    public function validateInventory(object $request, mixed $content, array $options): ?array
    {
        $library = $options['glpi_inventory_format'] ?? null;
        if ($request->mode() !== 'json') {
            return null;
        }
        if ($library === null) {
            if (!self::$libraryMissingNoted) {
                self::$libraryMissingNoted = true;
                error_log('glpi agent endpoint: baseline: GLPI\'s inventory_format library is not installed (glpi_inventory_format): inventories are stored unchecked');
            }
            return null;
        }
        require_once $library;
        $schema = (new \Glpi\Inventory\Converter())->getSchema();
        $schema->setExtraItemtypes([]);
        try {
            $schema->validate($content);
        } catch (\RuntimeException $e) {
            $violation = rtrim(substr($e->getMessage(), strlen("JSON does not validate. Violations:\n")), "\n");
            return [
                'valid' => false,
                'violations' => [['pointer' => '', 'keyword' => '', 'message' => $violation]],
                'content' => null,
                'dropped' => [],
            ];
        }
        (new \Glpi\Inventory\Converter())->getSchema()->build();
        (new \Glpi\Inventory\Converter())->getSchema()->build();
        return ['valid' => true, 'violations' => [], 'content' => $content, 'dropped' => []];
    }

    public function decode(string $body, array $headers, array $options): object
    {
        $encoding = Wire::encodingOf(Wire::header($headers, 'Content-Type') ?? '');
        if ($encoding === null || $encoding === 'br') {
            throw EndpointError::unsupportedContentType();
        }
        $type = strtolower(trim(explode(';', Wire::header($headers, 'Content-Type') ?? '', 2)[0]));
        $mode = match ($type) {
            'application/json' => 'json',
            'application/xml' => 'xml',
            default => null,
        };
        [$agentId, $requestId, $proxyIds] = $this->headers($headers);

        $max = (int) ($options['max_decoded_bytes'] ?? self::DEFAULT_MAX_DECODED);
        $plain = match ($encoding) {
            'zlib' => @gzuncompress($body, $max),
            'gzip' => @gzdecode($body, $max),
            'deflate' => @gzinflate($body, $max),
            default => $body,
        };
        if ($plain === false) {
            throw EndpointError::protocol(ProtocolException::CORRUPT_COMPRESSED_DATA);
        }
        if (strlen($plain) > $max) {
            throw EndpointError::payloadTooLarge();
        }

        $depth = (int) ($options['max_depth'] ?? 512);
        $flags = ($options['invalid_utf8'] ?? 'error') === 'substitute' ? JSON_INVALID_UTF8_SUBSTITUTE : 0;
        if ($mode === null) {
            // GLPI guesses the mode of a compressed or untyped body by decoding it as JSON.
            json_decode($plain, false, $depth, $flags);
            $mode = json_last_error() === JSON_ERROR_NONE ? 'json' : 'xml';
        }

        if ($mode === 'json') {
            if ($type === 'application/json') {
                // Known JSON: GLPI still decodes twice (request, then inventory data).
                json_decode($plain, false, $depth, $flags);
            }
            $content = json_decode($plain, false, $depth, $flags);
            if (json_last_error() !== JSON_ERROR_NONE) {
                throw EndpointError::protocol(ProtocolException::MALFORMED_JSON);
            }
            if (!$content instanceof \stdClass) {
                throw EndpointError::badFormat();
            }
            $action = 'inventory';
            if (isset($content->action) && is_string($content->action)) {
                $action = strtolower($content->action);
            } elseif (isset($content->query) && is_string($content->query)) {
                $action = strtolower($content->query);
            }
            $deviceId = isset($content->deviceid) && is_scalar($content->deviceid) ? (string) $content->deviceid : null;
            return new BaselineRequest('json', $encoding, $action, $deviceId, $agentId, $requestId, $proxyIds, $content, $plain);
        }

        if (!mb_check_encoding($plain, 'UTF-8')) {
            $plain = mb_convert_encoding($plain, 'UTF-8', 'ISO-8859-1');
        }
        $previous = libxml_use_internal_errors(true);
        $xml = simplexml_load_string($plain, \SimpleXMLElement::class, LIBXML_NOCDATA | LIBXML_NONET);
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        if ($xml === false) {
            throw EndpointError::protocol(ProtocolException::MALFORMED_XML);
        }
        $action = isset($xml->QUERY) ? strtolower((string) $xml->QUERY) : 'inventory';
        $deviceId = isset($xml->DEVICEID) ? (string) $xml->DEVICEID : null;
        return new BaselineRequest('xml', $encoding, $action, $deviceId, $agentId, $requestId, $proxyIds, null, $plain);
    }

    /** The extension's rules (Request::checkProxyChain()), for requests it did not decode. */
    public function checkProxyChain(object $request, ?string $serverId): void
    {
        $chain = $request->proxyIds();
        $own = array_filter([$request->agentId(), $serverId === null ? null : strtolower($serverId)]);
        if (count(array_unique($chain)) !== count($chain) || array_intersect($own, $chain) !== []) {
            throw EndpointError::proxyLoop();
        }
        // Its length was bounded by max_proxies when the headers were read.
    }

    /**
     * @param array<string, mixed> $headers
     * @return array{0: ?string, 1: ?string, 2: list<string>}
     */
    private function headers(array $headers): array
    {
        $agentId = Wire::header($headers, 'GLPI-Agent-ID');
        if ($agentId !== null) {
            $agentId = trim($agentId);
            if (!preg_match(Wire::UUID, $agentId)) {
                throw EndpointError::badAgentId();
            }
            $agentId = strtolower($agentId);
        }
        $requestId = Wire::header($headers, 'GLPI-Request-ID');
        if ($requestId !== null && !preg_match('/^[0-9A-F]{8}$/', trim($requestId))) {
            $requestId = null;
        }
        $proxyIds = [];
        $chain = Wire::header($headers, 'GLPI-Proxy-ID');
        if ($chain !== null && trim($chain) !== '') {
            foreach (explode(',', $chain) as $id) {
                $id = trim($id);
                if (!preg_match(Wire::UUID, $id)) {
                    throw EndpointError::protocol(ProtocolException::BAD_PROXY_ID);
                }
                $proxyIds[] = strtolower($id);
            }
            if (count($proxyIds) > $this->maxProxies) {
                throw EndpointError::tooManyProxy();
            }
        }
        return [$agentId, $requestId === null ? null : trim($requestId), $proxyIds];
    }

    /** GLPI's reference path stores a legacy XML inventory as received, unconverted. */
    public function convertXml(object $request): ?object
    {
        return null;
    }

    public function content(object $request): mixed
    {
        return $request->content();
    }

    public function answer(object $request, array $answer): HttpReply
    {
        return $this->json($request, $answer, 200);
    }

    public function prologReply(object $request, int $hours): HttpReply
    {
        return $this->xml($request, ['PROLOG_FREQ' => $hours, 'RESPONSE' => 'SEND'], 200);
    }

    public function ackReply(object $request): HttpReply
    {
        return $this->xml($request, ['RESPONSE' => 'SEND'], 200);
    }

    public function errorReply(EndpointError $error, ?object $request, int|string $expiration, string $realm): HttpReply
    {
        $answer = ['status' => 'error', 'message' => $error->token, 'expiration' => $expiration];
        if ($request === null) {
            $reply = new HttpReply($error->status, ['Content-Type' => 'application/json', 'Pragma' => 'no-cache'], json_encode($answer, JSON_THROW_ON_ERROR));
        } elseif ($request->mode() === 'xml' && $request->agentId() === null) {
            $reply = $this->xml($request, ['ERROR' => $error->token], $error->status);
        } else {
            $reply = $this->json($request, $answer, $error->status);
        }
        $extra = $error->headers;
        if ($error->status === 401) {
            $extra['WWW-Authenticate'] = 'Basic realm="' . addcslashes($realm, '"\\') . '"';
        }
        return $extra === [] ? $reply : new HttpReply($reply->status, array_replace($reply->headers, $extra), $reply->body);
    }

    /** @param array<string, mixed> $answer */
    private function json(object $request, array $answer, int $status): HttpReply
    {
        return new HttpReply($status, $this->headersFor($request, 'json'), $this->compress(json_encode($answer, JSON_THROW_ON_ERROR), $request->compression()));
    }

    /** @param array<string, mixed> $fields */
    private function xml(object $request, array $fields, int $status): HttpReply
    {
        return new HttpReply($status, $this->headersFor($request, 'xml'), $this->compress(Wire::replyXml($fields), $request->compression()));
    }

    /** @return array<string, string> */
    private function headersFor(object $request, string $mode): array
    {
        $headers = ['Content-Type' => Wire::contentType($request->compression(), $mode), 'Pragma' => 'no-cache'];
        if ($request->agentId() !== null) {
            $headers['GLPI-Agent-ID'] = $request->agentId();
        }
        if ($request->requestId() !== null) {
            $headers['GLPI-Request-ID'] = $request->requestId();
        }
        return $headers;
    }

    private function compress(string $data, string $encoding): string
    {
        return match ($encoding) {
            'zlib' => gzcompress($data),
            'gzip' => gzencode($data),
            'deflate' => gzdeflate($data),
            default => $data,
        };
    }
}
