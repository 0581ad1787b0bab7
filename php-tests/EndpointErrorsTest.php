<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * Hostile and broken requests through HTTP: each is refused with its status and token,
 * and leaves the database exactly as it was.
 */
final class EndpointErrorsTest extends EndpointTestCase
{
    private array $before;

    protected function setUp(): void
    {
        parent::setUp();
        // Something already stored, so that "unchanged" covers updates, not only inserts.
        $this->post(self::agentHeaders(requestId: '6FB6BD6B'), self::wire('glpi-agent-03-contact.zlib'));
        $this->post(self::legacyHeaders(), self::wire('fusioninventory-agent-01-prolog.zlib'));
        $this->before = $this->store->snapshot();
        $this->assertCount(2, $this->before['agents']);
    }

    private function refused(array $headers, string $body, int $status, string $token): HttpAnswer
    {
        $answer = $this->post($headers, $body);
        $this->assertRefused($answer, $status, $token, $this->before);
        return $answer;
    }

    /** @return array<string, array{string, string}> */
    public static function truncations(): array
    {
        $json = (string) file_get_contents(dirname(__DIR__) . '/samples/inventory.json');
        return [
            'zlib' => ['zlib', substr(gzcompress($json), 0, 9000)],
            'gzip' => ['gzip', substr(gzencode($json), 0, 9000)],
            'deflate' => ['deflate', substr(gzdeflate($json), 0, 9000)],
        ];
    }

    /** @dataProvider truncations */
    public function testATruncatedCompressedBodyIsRefused(string $encoding, string $body): void
    {
        $this->refused(self::agentHeaders(self::contentTypeFor($encoding)), $body, 400, 'truncated compressed data');
    }

    public function testACorruptCompressedBodyIsRefused(): void
    {
        $body = self::wire('glpi-agent-02-inventory-full.zlib');
        $body[100] = chr(ord($body[100]) ^ 0xFF);
        $body[101] = chr(ord($body[101]) ^ 0xFF);
        $this->refused(self::agentHeaders(), $body, 400, 'corrupt compressed data');
    }

    public function testABodyThatIsNotWhatItsContentTypeSaysIsRefused(): void
    {
        // Plain JSON labelled as zlib.
        $this->refused(self::agentHeaders(), gzuncompress(self::wire('glpi-agent-03-contact.zlib')), 400, 'corrupt compressed data');
    }

    /** @return array<string, array{string}> */
    public static function foreignContentTypes(): array
    {
        return [
            'html' => ['text/html'],
            'octet-stream' => ['application/octet-stream'],
            'form' => ['application/x-www-form-urlencoded'],
            'bzip2' => ['application/x-compress-bzip2'],
        ];
    }

    /** @dataProvider foreignContentTypes */
    public function testAContentTypeNoAgentSendsIsUnsupported(string $type): void
    {
        $this->refused(self::agentHeaders($type), self::wire('glpi-agent-03-contact.zlib'), 415, 'unsupported content-type');
    }

    /**
     * A small compressed body that inflates to a huge one, made without ever holding the
     * huge one in memory.
     */
    private static function bomb(string $encoding, int $megabytes): string
    {
        $context = deflate_init(['zlib' => ZLIB_ENCODING_DEFLATE, 'gzip' => ZLIB_ENCODING_GZIP, 'deflate' => ZLIB_ENCODING_RAW][$encoding], ['level' => 9]);
        $chunk = str_repeat("\0", 1 << 20);
        $out = '';
        for ($i = 0; $i < $megabytes; $i++) {
            $out .= deflate_add($context, $chunk, ZLIB_NO_FLUSH);
        }
        return $out . deflate_add($context, '', ZLIB_FINISH);
    }

    /** @return array<string, array{string}> */
    public static function bombEncodings(): array
    {
        return ['zlib' => ['zlib'], 'gzip' => ['gzip'], 'deflate' => ['deflate']];
    }

    /** @dataProvider bombEncodings */
    public function testACompressionBombIsRefusedAsTooLarge(string $encoding): void
    {
        // 256 MiB of zeros in about 260 KB: a thousand times its size, where real
        // inventories expand some twenty times.
        $body = self::bomb($encoding, 256);
        $this->assertLessThan(300 << 10, strlen($body));
        $answer = $this->post(self::agentHeaders(self::contentTypeFor($encoding)), $body);
        $this->assertSame(413, $answer->status);
        $this->assertContains($answer->token(), ['compression ratio too high', 'payload too large']);
        $this->assertSame($this->before, $this->store->snapshot());
    }

    public function testMalformedJsonIsRefused(): void
    {
        $this->refused(self::agentHeaders(), gzcompress('{"action": "inventory", "deviceid": "pc-1", "content": {'), 400, 'malformed json');
        $this->refused(self::agentHeaders('application/json'), '{"action": "contact",, }', 400, 'malformed json');
    }

    public function testJsonNestedBeyondTheDepthLimitIsRefused(): void
    {
        $deep = str_repeat('[', 600) . str_repeat(']', 600);
        $body = '{"action":"inventory","deviceid":"pc-1","content":{"x":' . $deep . '}}';
        $this->refused(self::agentHeaders(), gzcompress($body), 400, 'json too deep');
    }

    public function testJsonWithInvalidUtf8IsRefused(): void
    {
        $body = '{"action":"inventory","deviceid":"pc-1","content":{"hardware":{"name":"caf' . "\xE9" . '"}}}';
        $this->refused(self::agentHeaders(), gzcompress($body), 400, 'invalid utf-8');
    }

    public function testMalformedXmlIsRefused(): void
    {
        // Legacy agents read only XML: their refusal is XML too, although no request could
        // be decoded to tell who sent it.
        $answer = $this->refused(self::legacyHeaders(), gzcompress('<?xml version="1.0"?><REQUEST><QUERY>PROLOG</QUERY><DEVICEID>x'), 400, 'malformed xml');
        $this->assertSame('application/xml', $answer->contentType());
        $this->assertSame('malformed xml', (string) simplexml_load_string($answer->plain())->ERROR);
        $answer = $this->refused(self::legacyHeaders('application/xml'), '<REQUEST><QUERY>PROLOG</QUERY></REQUES>', 400, 'malformed xml');
        $this->assertSame('application/xml', $answer->contentType());
    }

    public function testHeaderNamesAClientChoosesDoNotChangeHowHeadersAreRead(): void
    {
        // Once, an "HTTP_X" or "REQUEST_METHOD" header made the endpoint read its headers as
        // $_SERVER, dropping Accept (200 instead of 406) and taking a "CONTENT_TYPE" header
        // for the content type.
        $headers = ['HTTP_X' => '1', 'REQUEST_METHOD' => 'POST', 'Accept' => 'text/html'] + self::agentHeaders();
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 406, 'not acceptable');
        $headers = ['HTTP_X' => '1', 'CONTENT_TYPE' => 'application/x-compress-zlib'] + self::agentHeaders('text/html');
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 415, 'unsupported content-type');
    }

    public function testARefusedAcceptIsAnsweredAndLoggedAsTheAgentsError(): void
    {
        $this->refused(['Accept' => 'image/png'] + self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib'), 406, 'not acceptable');
        $this->assertStringNotContainsString('ProtocolException', self::$server->log(), 'not logged as an internal error');
    }

    public function testXmlEntityExpansionIsRefused(): void
    {
        $laughs = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            . '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><REQUEST><DEVICEID>&c;</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>';
        $this->refused(self::legacyHeaders('application/xml'), $laughs, 400, 'malformed xml');
    }

    public function testAJsonRequestWithoutAgentIdIsRefused(): void
    {
        $headers = self::agentHeaders();
        unset($headers['GLPI-Agent-ID']);
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 400, 'bad agent id');
    }

    /** @return array<string, array{string}> */
    public static function malformedAgentIds(): array
    {
        return [
            'not a uuid' => ['not-a-uuid'],
            'too short' => ['8d4cd9d8-e630-11f1-84c8-420f0d1cbbf'],
            'bad hex' => ['8d4cd9d8-e630-11f1-84c8-420f0d1cbbfz'],
            'empty' => [''],
            'two ids' => [self::AGENT_ID . ',' . self::OTHER_ID],
            // Every unconfigured agent would share it.
            'nil uuid' => ['00000000-0000-0000-0000-000000000000'],
        ];
    }

    /** @dataProvider malformedAgentIds */
    public function testAMalformedAgentIdIsRefused(string $id): void
    {
        $this->refused(['GLPI-Agent-ID' => $id] + self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib'), 400, 'bad agent id');
    }

    public function testAProxyChainHoldingTheAgentItselfIsALoop(): void
    {
        $headers = self::agentHeaders() + ['GLPI-Proxy-ID' => self::OTHER_ID . ',' . self::AGENT_ID];
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 404, 'proxy-loop-detected');
    }

    public function testAProxyChainPassingTwiceThroughOneProxyIsALoop(): void
    {
        $headers = self::agentHeaders() + ['GLPI-Proxy-ID' => self::OTHER_ID . ', ' . self::OTHER_ID];
        $this->refused($headers, self::wire('glpi-agent-02-inventory-full.zlib'), 404, 'proxy-loop-detected');
    }

    public function testAProxyChainLongerThanTheLimitIsRefused(): void
    {
        $ids = [];
        for ($i = 1; $i <= 6; $i++) {
            $ids[] = sprintf('00000000-0000-4000-8000-%012d', $i);
        }
        $headers = self::agentHeaders() + ['GLPI-Proxy-ID' => implode(',', $ids)];
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 404, 'too-many-proxy');
    }

    public function testAMalformedProxyChainIsRefused(): void
    {
        $headers = self::agentHeaders() + ['GLPI-Proxy-ID' => self::OTHER_ID . ',proxy-two'];
        $this->refused($headers, self::wire('glpi-agent-03-contact.zlib'), 400, 'bad proxy id');
    }

    /** @return array<string, array{array<string, mixed>}> */
    public static function badMessages(): array
    {
        $contact = ['action' => 'contact', 'deviceid' => 'pc-1', 'name' => 'GLPI-Agent', 'version' => '1.0', 'installed-tasks' => ['inventory']];
        $inventory = ['action' => 'inventory', 'deviceid' => 'pc-1', 'content' => ['hardware' => ['name' => 'pc-1']]];
        $without = static function (array $m, string $key): array {
            unset($m[$key]);
            return $m;
        };
        return [
            'contact without deviceid' => [$without($contact, 'deviceid')],
            'contact without name' => [$without($contact, 'name')],
            'contact without version' => [$without($contact, 'version')],
            'contact without installed-tasks' => [$without($contact, 'installed-tasks')],
            'contact with tasks as a string' => [['installed-tasks' => 'inventory'] + $contact],
            'contact with a port out of range' => [['httpd-port' => '70000'] + $contact],
            'inventory without deviceid' => [$without($inventory, 'deviceid')],
            'inventory without content' => [$without($inventory, 'content')],
            'inventory with content as a list' => [['content' => [1, 2]] + $inventory],
            'inventory with an empty itemtype' => [['itemtype' => ''] + $inventory],
            'a JSON list, not an object' => [[1, 2, 3]],
        ];
    }

    /** @dataProvider badMessages */
    public function testAMessageMissingMandatoryFieldsIsBadFormat(array $message): void
    {
        $this->refused(self::agentHeaders(), gzcompress(self::jsonMessage($message)), 400, 'bad-format');
    }

    public function testALegacyRequestWithoutDeviceIdIsBadFormatInXml(): void
    {
        $answer = $this->refused(self::legacyHeaders('application/xml'), '<?xml version="1.0"?><REQUEST><QUERY>PROLOG</QUERY></REQUEST>', 400, 'bad-format');
        $this->assertSame('application/xml', $answer->contentType());
    }
}
