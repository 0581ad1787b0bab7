<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * The baseline mode (PHP's own decoding, as GLPI does it) stores the same things and
 * answers the same way as the extension, so that the load comparison compares only
 * decoding.
 */
final class EndpointBaselineTest extends EndpointTestCase
{
    protected static function serverEnv(): array
    {
        return ['GAP_BASELINE' => '1'];
    }

    public function testARealAgentRunIsStoredAsWithTheExtension(): void
    {
        $prolog = $this->post(self::agentHeaders(), self::wire('glpi-agent-01-prolog.zlib'));
        $this->assertSame(['status' => 'ok', 'expiration' => 24], $prolog->json());
        $contact = $this->post(self::agentHeaders(requestId: '6FB6BD6B'), self::wire('glpi-agent-03-contact.zlib'));
        $this->assertSame(['inventory' => ['server' => 'glpi', 'version' => '10.0.0']], $contact->json()['tasks']);
        $this->assertSame('6FB6BD6B', $contact->header('GLPI-Request-ID'));
        $raw = self::wire('glpi-agent-02-inventory-full.zlib');
        $inventory = $this->post(self::agentHeaders(), $raw);
        $this->assertSame(200, $inventory->status);
        $this->assertSame('application/x-compress-zlib', $inventory->contentType());

        $row = $this->store->inventories()[0];
        $this->assertSame(['inventory', 'Computer', 'json', 'zlib', strlen($raw), 241835],
            [$row['action'], $row['itemtype'], $row['format'], $row['compression'], $row['raw_size'], $row['decoded_size']]);
        $this->assertSame(gzuncompress($raw), $this->store->inventoryContent($row['id']));
        $this->assertSame(['inventory'], $this->store->agentByUuid(self::AGENT_ID)['enabled_tasks']);
    }

    public function testALegacyAgentRunIsStoredAsWithTheExtension(): void
    {
        $prolog = $this->post(self::legacyHeaders(), self::wire('fusioninventory-agent-01-prolog.zlib'));
        $this->assertSame('24', (string) simplexml_load_string($prolog->plain())->PROLOG_FREQ);
        $raw = self::wire('fusioninventory-agent-02-inventory-xml.zlib');
        $this->assertSame(200, $this->post(self::legacyHeaders(), $raw)->status);
        $this->assertSame(gzuncompress($raw), $this->store->inventoryContent($this->store->inventories()[0]['id']));
    }

    /** @return array<string, array{string}> */
    public static function phpEncodings(): array
    {
        return ['zlib' => ['zlib'], 'gzip' => ['gzip'], 'deflate' => ['deflate'], 'none' => ['none']];
    }

    /** @dataProvider phpEncodings */
    public function testEachEncodingPhpHasIsDecoded(string $encoding): void
    {
        $json = self::sample('inventory.json');
        $answer = $this->post(self::agentHeaders(self::contentTypeFor($encoding)), self::compressWith($json, $encoding));
        $this->assertSame(200, $answer->status);
        $this->assertSame(self::contentTypeFor($encoding), $answer->contentType());
        $this->assertSame($json, $this->store->inventoryContent($this->store->inventories()[0]['id']));
    }

    public function testBrotliIsRefusedAsGlpiRefusesItWithoutTheBrotliExtension(): void
    {
        $before = $this->store->snapshot();
        $body = \GlpiAgentProtocol\compress(self::sample('inventory.json'), 'br');
        $this->assertRefused($this->post(self::agentHeaders('application/x-compress-br'), $body), 415, 'unsupported content-type', $before);
    }

    public function testBrokenInputIsRefusedWithNothingStored(): void
    {
        $before = $this->store->snapshot();
        $this->assertRefused($this->post(self::agentHeaders(), gzcompress('{"action":')), 400, 'malformed xml', $before);
        $this->assertRefused($this->post(self::agentHeaders('application/json'), '{"action":'), 400, 'malformed json', $before);
        $this->assertRefused($this->post(self::agentHeaders(), 'not zlib'), 400, 'corrupt compressed data', $before);
        $this->assertRefused($this->post(['GLPI-Agent-ID' => 'nope'] + self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib')), 400, 'bad agent id', $before);
    }
}
