<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/** Small protocol facts shared by both codecs and the controller. */
final class Wire
{
    public const UUID = '/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i';

    /** Content types written in answers, per encoding (what GLPI sends). */
    private const COMPRESSED = [
        'zlib' => 'application/x-compress-zlib',
        'gzip' => 'application/x-compress-gzip',
        'deflate' => 'application/x-compress-deflate',
        'br' => 'application/x-compress-br',
    ];

    public static function contentType(string $encoding, string $mode): string
    {
        return self::COMPRESSED[$encoding] ?? ($mode === 'xml' ? 'application/xml' : 'application/json');
    }

    /** The encoding a content type names, or null for one no agent sends. */
    public static function encodingOf(string $contentType): ?string
    {
        $type = strtolower(trim(explode(';', $contentType, 2)[0]));
        return match ($type) {
            'application/json', 'application/xml', 'text/plain', '' => 'none',
            'application/x-compress-zlib', 'application/x-zlib' => 'zlib',
            'application/x-compress-gzip', 'application/x-gzip' => 'gzip',
            'application/x-compress-deflate', 'application/x-deflate' => 'deflate',
            'application/x-compress-br', 'application/x-br' => 'br',
            default => null,
        };
    }

    /**
     * A header from getallheaders() (any case) or from a $_SERVER-style array.
     *
     * @param array<string, mixed> $headers
     */
    public static function header(array $headers, string $name): ?string
    {
        foreach ($headers as $n => $v) {
            if (is_string($n) && strcasecmp($n, $name) === 0) {
                return (string) $v;
            }
        }
        $key = strtoupper(str_replace('-', '_', $name));
        if (isset($headers['HTTP_' . $key])) {
            return (string) $headers['HTTP_' . $key];
        }
        // CGI passes these two without the HTTP_ prefix.
        if (($key === 'CONTENT_TYPE' || $key === 'CONTENT_LENGTH') && isset($headers[$key])) {
            return (string) $headers[$key];
        }
        return null;
    }

    /**
     * The legacy XML answer: <REPLY> with one element per entry, as GLPI's AbstractRequest
     * writes it (nested arrays become nested elements).
     *
     * @param array<string, mixed> $fields
     */
    public static function replyXml(array $fields): string
    {
        $doc = new \DOMDocument('1.0', 'UTF-8');
        $root = $doc->appendChild($doc->createElement('REPLY'));
        self::appendXml($doc, $root, $fields);
        return $doc->saveXML();
    }

    /** @param array<int|string, mixed> $fields */
    private static function appendXml(\DOMDocument $doc, \DOMNode $parent, array $fields): void
    {
        foreach ($fields as $name => $value) {
            $node = $parent->appendChild($doc->createElement((string) $name));
            if (is_array($value)) {
                self::appendXml($doc, $node, $value);
            } else {
                $node->appendChild($doc->createTextNode((string) $value));
            }
        }
    }

    /**
     * Product name and version from an agent's User-Agent ("GLPI-Agent_v1.12",
     * "FusionInventory-Agent_v2.6-3"), for agents that never send CONTACT.
     *
     * @return array{0: ?string, 1: ?string}
     */
    public static function agentFromUserAgent(?string $userAgent): array
    {
        if ($userAgent !== null && preg_match('/^([A-Za-z][\w.-]*?)_v([\w.+~-]+)$/', trim($userAgent), $m)) {
            return [$m[1], $m[2]];
        }
        return [null, null];
    }
}
