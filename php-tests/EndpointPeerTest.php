<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/GlpiConverterOracle.php';

/**
 * A real agent nobody here wrote, Debian's fusioninventory-agent, run against the
 * endpoint: its PROLOG must be answered and its XML inventory must land in the database.
 * Skipped when the agent is not installed, unless GAP_REQUIRE_PEERS=1
 * (scripts/test-peers.sh installs it and sets that).
 */
final class EndpointPeerTest extends EndpointTestCase
{
    private const AGENT = '/usr/bin/fusioninventory-agent';

    private string $home;

    protected function setUp(): void
    {
        if (!is_executable(self::AGENT)) {
            if (getenv('GAP_REQUIRE_PEERS') === '1') {
                $this->fail('fusioninventory-agent is not installed (scripts/install-deps.sh peers)');
            }
            $this->markTestSkipped('fusioninventory-agent is not installed (scripts/install-deps.sh peers)');
        }
        parent::setUp();
        $this->home = sys_get_temp_dir() . '/gap-fusion-' . bin2hex(random_bytes(4));
        mkdir("{$this->home}/lib", 0700, true);
        mkdir("{$this->home}/var", 0700, true);
        // The agent takes its state directory from the module "setup"; loading our own
        // first (perl -Msetup) gives each run a fresh, private one.
        file_put_contents("{$this->home}/lib/setup.pm", sprintf(
            "package setup;\nuse strict;\nuse warnings;\nuse parent qw(Exporter);\nour @EXPORT = ('%%setup');\n"
            . "our %%setup = (datadir => '/usr/share/fusioninventory', libdir => '/usr/share/fusioninventory/lib', vardir => '%s');\n1;\n",
            "{$this->home}/var"
        ));
    }

    protected function tearDown(): void
    {
        if (isset($this->home) && is_dir($this->home)) {
            exec('rm -rf ' . escapeshellarg($this->home));
        }
        parent::tearDown();
    }

    /** @return array{0: int, 1: string} exit status and everything the agent logged */
    private function runAgent(string ...$extra): array
    {
        $command = [
            'timeout', '300', 'perl', "-I{$this->home}/lib", '-Msetup', self::AGENT,
            '--server', self::$server->url(), '--force', '--tasks=inventory',
            // These two categories hold other programs' command lines and environment.
            '--no-category=process,environment',
            '--no-httpd', '--config=none', '--logger=stderr', '--timeout=60', ...$extra,
        ];
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $this->assertIsResource($process);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($process), (string) $out];
    }

    private function assertAgentRunSucceeded(int $status, string $log): string
    {
        $this->assertSame(0, $status, "fusioninventory-agent failed:\n$log");
        $this->assertStringContainsString('sending prolog request', $log);
        $this->assertDoesNotMatchRegularExpression('/\[error\]/i', $log, $log);
        $this->assertMatchesRegularExpression('/New inventory from (\S+) for server0/', $log, $log);
        preg_match('/New inventory from (\S+) for server0/', $log, $m);
        return $m[1];
    }

    public function testItsPrologIsAnsweredAndItsXmlInventoryLandsInTheDatabase(): void
    {
        [$status, $log] = $this->runAgent();
        $deviceId = $this->assertAgentRunSucceeded($status, $log);

        $agents = $this->store->agents();
        $this->assertCount(1, $agents);
        $this->assertSame($deviceId, $agents[0]['device_id']);
        $this->assertNull($agents[0]['agent_uuid']);
        $this->assertSame('FusionInventory-Agent', $agents[0]['name']);
        $this->assertSame('inventory', $agents[0]['last_action']);

        $rows = $this->store->inventories();
        $this->assertCount(1, $rows);
        $row = $rows[0];
        $this->assertSame(['inventory', 'Computer', 'xml', 'zlib', $deviceId], [$row['action'], $row['itemtype'], $row['format'], $row['compression'], $row['device_id']]);
        $content = (string) $this->store->inventoryContent($row['id']);
        $this->assertSame($row['decoded_size'], strlen($content));
        $this->assertGreaterThan($row['raw_size'], $row['decoded_size']);
        $this->assertTrue(mb_check_encoding($content, 'UTF-8'));
        $xml = simplexml_load_string($content);
        $this->assertNotFalse($xml);
        $this->assertSame('INVENTORY', (string) $xml->QUERY);
        $this->assertSame($deviceId, (string) $xml->DEVICEID);
        $this->assertNotSame('', (string) $xml->CONTENT->HARDWARE->NAME);
        $this->assertConvertedJsonStored($row['id'], $content, $deviceId);
    }

    /** The XML inventory is kept converted too: the JSON inventory GLPI's Converter makes of it. */
    private function assertConvertedJsonStored(int $id, string $xml, string $deviceId): void
    {
        $json = $this->store->inventoryConvertedJson($id);
        $this->assertNotNull($json, 'the converted JSON is stored');
        $message = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(['inventory', $deviceId, 'Computer'], [$message['action'], $message['deviceid'], $message['itemtype']]);
        $this->assertTrue(array_is_list($message['content']['softwares']));
        $this->assertSame((string) simplexml_load_string($xml)->CONTENT->HARDWARE->NAME, $message['content']['hardware']['name']);
        $oracle = \GlpiConverterOracle::dir();
        if ($oracle === null) {
            return;
        }
        [$converted, $glpi] = \GlpiConverterOracle::convert($xml, true);
        $this->assertTrue($converted);
        $this->assertTrue(\GlpiConverterOracle::same($glpi, $message), 'the stored JSON is GLPI\'s conversion');
        // And GLPI's own schema accepts it, as GLPI's server validates a converted inventory.
        $this->assertTrue(\GlpiConverterOracle::validates($json));
    }

    public function testAnUncompressedRunIsStoredTooAndKeepsTheSameAgent(): void
    {
        [$status, $log] = $this->runAgent();
        $first = $this->assertAgentRunSucceeded($status, $log);
        [$status, $log] = $this->runAgent('--no-compression');
        $second = $this->assertAgentRunSucceeded($status, $log);

        $this->assertSame($first, $second, 'the same state directory keeps the device id');
        $this->assertCount(1, $this->store->agents());
        $rows = $this->store->inventories();
        $this->assertSame(['zlib', 'none'], array_column($rows, 'compression'));
        $this->assertSame('INVENTORY', (string) simplexml_load_string((string) $this->store->inventoryContent($rows[1]['id']))->QUERY);
        $this->assertNotNull($this->store->inventoryConvertedJson($rows[1]['id']));
    }
}
