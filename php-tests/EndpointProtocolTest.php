<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * Every action of the endpoint through HTTP, with real captured agent requests where they
 * exist, checked in the answers and in the database.
 */
final class EndpointProtocolTest extends EndpointTestCase
{
    public function testLegacyPrologGetsTheXmlReplyFusionInventoryReads(): void
    {
        $answer = $this->post(self::legacyHeaders(), self::wire('fusioninventory-agent-01-prolog.zlib'));

        $this->assertSame(200, $answer->status);
        $this->assertSame('application/x-compress-zlib', $answer->contentType());
        // fusioninventory-agent 2.6 sniffs the body and knows only the default zlib header.
        $this->assertSame("\x78\x9c", substr($answer->body, 0, 2));
        $xml = simplexml_load_string($answer->plain());
        $this->assertNotFalse($xml);
        $this->assertSame('REPLY', $xml->getName());
        $this->assertSame('24', (string) $xml->PROLOG_FREQ);
        $this->assertSame('SEND', (string) $xml->RESPONSE);
        $this->assertNull($answer->header('GLPI-Agent-ID'));

        $agents = $this->store->agents();
        $this->assertCount(1, $agents);
        $this->assertSame('vm-2026-11-22-04-52-46', $agents[0]['device_id']);
        $this->assertNull($agents[0]['agent_uuid']);
        $this->assertSame('FusionInventory-Agent', $agents[0]['name']);
        $this->assertSame('2.6-3', $agents[0]['version']);
        $this->assertSame('prolog', $agents[0]['last_action']);
    }

    public function testPrologWithAnAgentIdIsAnsweredInJsonAsGlpiDoes(): void
    {
        $answer = $this->post(self::agentHeaders(), self::wire('glpi-agent-01-prolog.zlib'));

        $this->assertSame(200, $answer->status);
        $this->assertSame('application/x-compress-zlib', $answer->contentType());
        $this->assertSame(['status' => 'ok', 'expiration' => 24], $answer->json());
        $this->assertSame(self::AGENT_ID, $answer->header('GLPI-Agent-ID'));
        $agent = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertNotNull($agent);
        $this->assertSame('vm-2026-11-22-04-52-42', $agent['device_id']);
        $this->assertSame('GLPI-Agent', $agent['name']);
    }

    public function testContactFromARealAgentIsRecordedAndAnsweredWithTheInventoryTask(): void
    {
        $answer = $this->post(self::agentHeaders(requestId: '6FB6BD6B'), self::wire('glpi-agent-03-contact.zlib'));

        $this->assertSame(200, $answer->status);
        $this->assertSame('6FB6BD6B', $answer->header('GLPI-Request-ID'));
        $this->assertSame(self::AGENT_ID, $answer->header('GLPI-Agent-ID'));
        $json = $answer->json();
        $this->assertSame('ok', $json['status']);
        $this->assertSame(24, $json['expiration']);
        $this->assertSame(['inventory' => ['server' => 'glpi', 'version' => '10.0.0']], $json['tasks']);
        // Only "inventory" is enabled in this capture: nothing to disable.
        $this->assertArrayNotHasKey('disabled', $json);

        $agent = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame('GLPI-Agent', $agent['name']);
        $this->assertSame('1.12-dev', $agent['version']);
        $this->assertSame('vm-2026-11-22-04-52-42', $agent['device_id']);
        $this->assertSame(['collect', 'deploy', 'esx', 'inventory', 'netdiscovery', 'netinventory', 'remoteinventory', 'wakeonlan'], $agent['installed_tasks']);
        $this->assertSame(['inventory'], $agent['enabled_tasks']);
        $this->assertSame('contact', $agent['last_action']);
        $this->assertSame([], $agent['proxy_chain']);
    }

    public function testContactListsUnsupportedTasksAsDisabledAndKeepsEveryField(): void
    {
        $message = [
            'action' => 'contact', 'deviceid' => 'pc-42', 'name' => 'GLPI-Agent', 'version' => '1.11',
            'installed-tasks' => ['inventory', 'deploy', 'collect', 'netdiscovery'],
            'enabled-tasks' => ['inventory', 'deploy', 'collect'],
            'httpd-port' => '62354',
            'httpd-plugins' => ['ssl' => ['disabled' => 'no', 'ports' => ['0', '62356']], 'proxy' => 'disabled'],
            'tag' => 'bâtiment-B',
        ];
        $headers = self::agentHeaders('application/x-compress-gzip') + ['GLPI-Proxy-ID' => self::OTHER_ID];
        $answer = $this->post($headers, gzencode(self::jsonMessage($message)));

        $this->assertSame(200, $answer->status);
        $this->assertSame('application/x-compress-gzip', $answer->contentType());
        $json = $answer->json();
        $this->assertSame(['inventory'], array_keys($json['tasks']));
        $this->assertSame(['deploy', 'collect'], $json['disabled']);

        $agent = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame('bâtiment-B', $agent['tag']);
        $this->assertSame(62354, $agent['httpd_port']);
        $this->assertSame($message['httpd-plugins'], $agent['httpd_plugins']);
        $this->assertSame([self::OTHER_ID], $agent['proxy_chain']);
        $this->assertSame(['inventory', 'deploy', 'collect'], $agent['enabled_tasks']);
    }

    public function testContactWithoutEnabledTasksTreatsTheInstalledOnesAsEnabled(): void
    {
        $message = ['action' => 'contact', 'deviceid' => 'pc-1', 'name' => 'GLPI-Agent', 'version' => '1.0', 'installed-tasks' => ['inventory', 'wakeonlan']];
        $answer = $this->post(self::agentHeaders('application/json'), self::jsonMessage($message));

        $this->assertSame(200, $answer->status);
        $this->assertSame('application/json', $answer->contentType());
        $this->assertSame(['wakeonlan'], $answer->json()['disabled']);
        $this->assertSame(['inventory', 'wakeonlan'], $this->store->agentByUuid(self::AGENT_ID)['enabled_tasks']);
    }

    public function testAFullInventoryFromARealAgentIsStoredAsItWasSent(): void
    {
        $raw = self::wire('glpi-agent-02-inventory-full.zlib');
        $answer = $this->post(self::agentHeaders(requestId: 'F4CCE510'), $raw);

        $this->assertSame(200, $answer->status);
        $this->assertSame(['status' => 'ok', 'expiration' => 24], $answer->json());
        $this->assertSame('F4CCE510', $answer->header('GLPI-Request-ID'));
        $rows = $this->store->inventories();
        $this->assertCount(1, $rows);
        $row = $rows[0];
        $this->assertSame(self::AGENT_ID, $row['agent_uuid']);
        $this->assertSame('inventory', $row['action']);
        $this->assertSame('Computer', $row['itemtype']);
        $this->assertSame('vm-2026-11-22-04-52-42', $row['device_id']);
        $this->assertSame('F4CCE510', $row['request_id']);
        $this->assertSame(0, $row['partial']);
        $this->assertSame('json', $row['format']);
        $this->assertSame('zlib', $row['compression']);
        $this->assertSame(strlen($raw), $row['raw_size']);
        $this->assertSame(241835, $row['decoded_size']);
        $this->assertGreaterThan(0, $row['decode_us']);
        $this->assertSame(gzuncompress($raw), $this->store->inventoryContent($row['id']));
        $this->assertSame('inventory', $this->store->agentByUuid(self::AGENT_ID)['last_action']);
    }

    /** @return array{0: string, 1: string} the stored bytes and their encoding, as in the table */
    private function storedRow(int $id): array
    {
        $stmt = $this->store->pdo()->prepare('SELECT content, content_encoding FROM inventories WHERE id = ?');
        $stmt->execute([$id]);
        $row = $stmt->fetch();
        return [(string) $row['content'], (string) $row['content_encoding']];
    }

    public function testCompressedJsonInventoriesAreKeptAsSentAndReadBackDecoded(): void
    {
        $json = self::jsonMessage(['action' => 'inventory', 'deviceid' => 'pc-1', 'content' => ['hardware' => ['name' => 'pc-1', 'memory' => 16384]]]);
        foreach (['zlib', 'gzip', 'deflate', 'br', 'none'] as $encoding) {
            $body = self::compressWith($json, $encoding);
            $this->assertSame(200, $this->post(self::agentHeaders(self::contentTypeFor($encoding)), $body)->status, $encoding);
            $row = array_values(array_filter($this->store->inventories(), static fn (array $r): bool => $r['compression'] === $encoding))[0];
            // The bytes the agent sent, byte for byte, and what they are.
            $this->assertSame([$body, $encoding], $this->storedRow($row['id']), $encoding);
            $this->assertSame($json, $this->store->inventoryContent($row['id']), $encoding);
            $this->assertSame(strlen($json), $row['decoded_size'], $encoding);
        }
        // XML is kept as UTF-8 text, whatever it came compressed with.
        $xml = '<?xml version="1.0" encoding="UTF-8"?><REQUEST><DEVICEID>pc-2</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT/></REQUEST>';
        $this->assertSame(200, $this->post(self::legacyHeaders(), gzcompress($xml))->status);
        $last = $this->store->inventories();
        $this->assertSame([$xml, 'none'], $this->storedRow(end($last)['id']));
    }

    public function testAPartialInventoryIsMarkedPartial(): void
    {
        $answer = $this->post(self::agentHeaders(), self::wire('glpi-agent-04-inventory-partial.zlib'));

        $this->assertSame(200, $answer->status);
        $this->assertSame(1, $this->store->inventories()[0]['partial']);
    }

    /** @return array<string, array{string}> */
    public static function encodings(): array
    {
        return ['zlib' => ['zlib'], 'gzip' => ['gzip'], 'deflate' => ['deflate'], 'brotli' => ['br'], 'none' => ['none']];
    }

    /** @dataProvider encodings */
    public function testAnInventoryInEachEncodingIsStoredAndAnsweredInTheSameEncoding(string $encoding): void
    {
        $json = self::sample('inventory.json');
        $body = self::compressWith($json, $encoding);
        $answer = $this->post(self::agentHeaders(self::contentTypeFor($encoding)), $body);

        $this->assertSame(200, $answer->status);
        $this->assertSame(self::contentTypeFor($encoding), $answer->contentType());
        $this->assertSame(['status' => 'ok', 'expiration' => 24], $answer->json());
        $row = $this->store->inventories()[0];
        $this->assertSame($encoding, $row['compression']);
        $this->assertSame(strlen($body), $row['raw_size']);
        $this->assertSame(strlen($json), $row['decoded_size']);
        $this->assertSame($json, $this->store->inventoryContent($row['id']));
    }

    public function testALegacyXmlInventoryIsStoredAsReceivedAndAnsweredInXml(): void
    {
        $raw = self::wire('fusioninventory-agent-02-inventory-xml.zlib');
        $answer = $this->post(self::legacyHeaders(), $raw);

        $this->assertSame(200, $answer->status);
        $this->assertSame("\x78\x9c", substr($answer->body, 0, 2));
        $xml = simplexml_load_string($answer->plain());
        $this->assertSame('SEND', (string) $xml->RESPONSE);
        $row = $this->store->inventories()[0];
        $this->assertSame(['inventory', 'Computer', 'xml', 'zlib', 'vm-2026-11-22-04-52-46', null],
            [$row['action'], $row['itemtype'], $row['format'], $row['compression'], $row['device_id'], $row['agent_uuid']]);
        $this->assertSame(gzuncompress($raw), $this->store->inventoryContent($row['id']));
        // And as the JSON inventory it converts to.
        $this->assertSame(
            json_encode(\GlpiAgentProtocol\Inventory::fromXml(gzuncompress($raw), ['assoc' => true])),
            json_encode(json_decode((string) $this->store->inventoryConvertedJson($row['id']), true))
        );
        $this->assertSame(strlen((string) $this->store->inventoryConvertedJson($row['id'])), $row['converted_size']);
    }

    public function testAConvertedXmlInventoryGivesItsItemtypeAndAnUnconvertibleOneIsRefused(): void
    {
        $switch = '<?xml version="1.0" encoding="UTF-8"?><REQUEST><DEVICEID>pc-3</DEVICEID><QUERY>SNMPQUERY</QUERY><CONTENT>'
            . '<DEVICE><INFO><TYPE>NETWORKING</TYPE><NAME>sw-1</NAME><MEMORY>128</MEMORY></INFO>'
            . '<PORTS><PORT><IFNUMBER>1</IFNUMBER><IFINOCTETS>10</IFINOCTETS></PORT></PORTS></DEVICE>'
            . '<MODULEVERSION>4.1</MODULEVERSION><PROCESSNUMBER>7</PROCESSNUMBER></CONTENT></REQUEST>';
        $this->assertSame(200, $this->post(self::legacyHeaders(), gzcompress($switch))->status);
        $row = $this->store->inventories()[0];
        $this->assertSame(['netinventory', 'NetworkEquipment'], [$row['action'], $row['itemtype']]);
        $message = json_decode((string) $this->store->inventoryConvertedJson($row['id']), true);
        $this->assertSame(7, $message['jobid']);
        $this->assertSame('sw-1', $message['content']['network_device']['name']);
        $this->assertSame([['ifnumber' => 1, 'ifinbytes' => 10]], $message['content']['network_ports']);

        // GLPI's conversion throws on a device member it does not know: refused, nothing stored.
        $before = $this->store->snapshot();
        $unknown = str_replace('<DEVICE><INFO>', '<DEVICE><STRANGE>1</STRANGE><INFO>', $switch);
        $this->assertRefused($this->post(self::legacyHeaders(), gzcompress($unknown)), 400, 'bad-format', $before);
    }

    public function testAnXmlInventoryInLatin1IsStoredInUtf8(): void
    {
        $latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<REQUEST><DEVICEID>caf\xE9-01</DEVICEID><QUERY>INVENTORY</QUERY>"
            . "<CONTENT><HARDWARE><NAME>Poste r\xE9ception</NAME></HARDWARE></CONTENT></REQUEST>\n";
        $answer = $this->post(self::legacyHeaders('application/xml'), $latin1);

        $this->assertSame(200, $answer->status);
        $this->assertSame('application/xml', $answer->contentType());
        $row = $this->store->inventories()[0];
        $this->assertSame('café-01', $row['device_id']);
        $stored = $this->store->inventoryContent($row['id']);
        $this->assertTrue(mb_check_encoding($stored, 'UTF-8'));
        $this->assertStringContainsString('Poste réception', $stored);
    }

    public function testNetworkDiscoveryAndInventoryAreStoredUnderTheirAction(): void
    {
        $discovery = ['action' => 'netdiscovery', 'deviceid' => 'pc-1', 'itemtype' => 'NetworkEquipment', 'content' => ['network_device' => ['type' => 'Printer', 'ips' => ['192.0.2.7']]]];
        $this->assertSame(200, $this->post(self::agentHeaders(), gzcompress(self::jsonMessage($discovery)))->status);
        $inventory = ['action' => 'netinventory', 'deviceid' => 'pc-1', 'itemtype' => 'NetworkEquipment', 'content' => ['network_device' => ['type' => 'Switch']]];
        $this->assertSame(200, $this->post(self::agentHeaders(), gzcompress(self::jsonMessage($inventory)))->status);
        $legacy = '<?xml version="1.0" encoding="UTF-8"?><REQUEST><DEVICEID>pc-2</DEVICEID><QUERY>SNMPQUERY</QUERY><CONTENT><DEVICE/></CONTENT></REQUEST>';
        $this->assertSame(200, $this->post(self::legacyHeaders(), gzcompress($legacy))->status);

        $rows = $this->store->inventories();
        $this->assertSame(['netdiscovery', 'netinventory', 'netinventory'], array_column($rows, 'action'));
        $this->assertSame(['NetworkEquipment', 'NetworkEquipment', 'Computer'], array_column($rows, 'itemtype'));
    }

    public function testAGetRetryCarryingTheRequestIdGetsTheSameAnswer(): void
    {
        $first = $this->post(self::agentHeaders(requestId: '6FB6BD6B'), self::wire('glpi-agent-03-contact.zlib'));
        $before = $this->store->snapshot();
        $again = self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => '6FB6BD6B']);

        $this->assertSame(200, $again->status);
        $this->assertSame($first->contentType(), $again->contentType());
        $this->assertSame($first->json(), $again->json());
        $this->assertSame('6FB6BD6B', $again->header('GLPI-Request-ID'));
        $this->assertSame(self::AGENT_ID, $again->header('GLPI-Agent-ID'));
        $this->assertSame($before, $this->store->snapshot(), 'a GET retry stores nothing');
    }

    public function testAGetRetryOfAnUnknownRequestIsNotFound(): void
    {
        $before = $this->store->snapshot();
        $answer = self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => '0BADC0DE']);
        $this->assertSame(404, $answer->status);
        $this->assertSame('unknown request', $answer->token());
        // The miss is counted (EndpointRetryLimitTest), nothing else is written.
        $after = $this->store->snapshot();
        $this->assertSame([[self::AGENT_ID, 1]], array_map(static fn (array $r): array => [$r['agent_uuid'], (int) $r['misses']], $after['retry_misses']));
        unset($before['retry_misses'], $after['retry_misses']);
        $this->assertSame($before, $after);
    }

    public function testAGetWithoutRequestIdIsNotAllowed(): void
    {
        $before = $this->store->snapshot();
        $answer = self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID]);
        $this->assertRefused($answer, 405, 'method not allowed', $before);
        $this->assertStringContainsString('POST', (string) $answer->header('Allow'));
    }

    public function testAGetRetryWithAMalformedRequestIdOrAgentIdIsRefused(): void
    {
        $before = $this->store->snapshot();
        $this->assertRefused(self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => 'xyz']), 400, 'bad request id', $before);
        $this->assertRefused(self::$server->request('GET', ['GLPI-Agent-ID' => 'nope', 'GLPI-Request-ID' => '6FB6BD6B']), 400, 'bad agent id', $before);
        $this->assertRefused(self::$server->request('GET', ['GLPI-Request-ID' => '6FB6BD6B']), 400, 'bad agent id', $before);
    }

    /** @return array<string, array{string}> */
    public static function otherMethods(): array
    {
        return ['PUT' => ['PUT'], 'DELETE' => ['DELETE'], 'PATCH' => ['PATCH'], 'OPTIONS' => ['OPTIONS']];
    }

    /** @dataProvider otherMethods */
    public function testMethodsOtherThanPostAndGetAreNotAllowed(string $method): void
    {
        $before = $this->store->snapshot();
        $answer = self::$server->request($method, self::agentHeaders(), self::wire('glpi-agent-03-contact.zlib'));
        $this->assertRefused($answer, 405, 'method not allowed', $before);
        $this->assertSame('POST, GET', $answer->header('Allow'));
    }

    public function testUnsupportedActionsAreNotImplemented(): void
    {
        $before = $this->store->snapshot();
        foreach (['register', 'configuration', 'deploy', 'get_params', 'no-such-thing'] as $action) {
            $body = gzcompress(self::jsonMessage(['action' => $action, 'deviceid' => 'pc-1']));
            $answer = $this->post(self::agentHeaders(), $body);
            $this->assertRefused($answer, 501, 'unsupported action', $before);
            $this->assertSame('application/x-compress-zlib', $answer->contentType(), 'an error answer mirrors the request');
        }
        $legacy = '<?xml version="1.0"?><REQUEST><DEVICEID>pc-2</DEVICEID><QUERY>WAKEONLAN</QUERY></REQUEST>';
        $this->assertRefused($this->post(self::legacyHeaders('application/xml'), $legacy), 501, 'unsupported action', $before);
    }

    public function testOneAgentMakesOneRowAcrossItsWholeRun(): void
    {
        foreach (['glpi-agent-01-prolog.zlib', 'glpi-agent-02-inventory-full.zlib', 'glpi-agent-03-contact.zlib', 'glpi-agent-04-inventory-partial.zlib'] as $capture) {
            $this->assertSame(200, $this->post(self::agentHeaders(), self::wire($capture))->status, $capture);
        }
        $this->assertCount(1, $this->store->agents());
        $this->assertCount(2, $this->store->inventories());
        $agent = $this->store->agents()[0];
        $this->assertSame('inventory', $agent['last_action']);
        $this->assertSame('GLPI-Agent', $agent['name']);
        $this->assertSame(['inventory'], $agent['enabled_tasks']);
    }
}
