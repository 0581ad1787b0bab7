<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Migrations;
use GlpiAgentEndpoint\Store;
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/TestStore.php';

/** The PDO store on its own, on SQLite or on the database GAP_TEST_DSN names. */
final class EndpointStoreTest extends TestCase
{
    private const UUID = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';

    /** @var array{dsn: string, user: ?string, password: ?string, cleanup: ?string} */
    private array $settings;
    private Store $store;

    protected function setUp(): void
    {
        $this->settings = TestStore::settings();
        $this->store = TestStore::fresh($this->settings);
    }

    protected function tearDown(): void
    {
        unset($this->store);
        TestStore::cleanup($this->settings);
    }

    public function testMigrationIsIdempotentAndReachesTheLatestVersion(): void
    {
        $this->assertSame([], Migrations::migrate($this->store->pdo()));
        $this->assertSame(Migrations::latest(), Migrations::current($this->store->pdo()));
        $this->assertTrue($this->store->isMigrated());
    }

    public function testContactFieldsAreStoredAndReadBack(): void
    {
        $id = $this->store->transaction(fn (Store $s): int => $s->touchAgent([
            'agent_uuid' => self::UUID,
            'device_id' => 'vm-2026-11-22-04-52-42',
            'action' => 'contact',
            'name' => 'GLPI-Agent',
            'version' => '1.12-dev',
            'tag' => 'étage-2',
            'installed_tasks' => ['inventory', 'deploy'],
            'enabled_tasks' => ['inventory'],
            'httpd_port' => 62354,
            'httpd_plugins' => (object) ['ssl' => (object) ['disabled' => 'no', 'ports' => ['0', '62356']], 'proxy' => 'disabled'],
            'proxy_chain' => ['3a609a2e-947f-4e6a-9af9-32c024ac3944'],
            'user_agent' => 'GLPI-Agent_v1.12-dev',
        ]));
        $agent = $this->store->agent($id);
        $this->assertNotNull($agent);
        $this->assertSame(self::UUID, $agent['agent_uuid']);
        $this->assertSame('vm-2026-11-22-04-52-42', $agent['device_id']);
        $this->assertSame('GLPI-Agent', $agent['name']);
        $this->assertSame('1.12-dev', $agent['version']);
        $this->assertSame('étage-2', $agent['tag']);
        $this->assertSame(['inventory', 'deploy'], $agent['installed_tasks']);
        $this->assertSame(['inventory'], $agent['enabled_tasks']);
        $this->assertSame(62354, $agent['httpd_port']);
        $this->assertSame(['ssl' => ['disabled' => 'no', 'ports' => ['0', '62356']], 'proxy' => 'disabled'], $agent['httpd_plugins']);
        $this->assertSame(['3a609a2e-947f-4e6a-9af9-32c024ac3944'], $agent['proxy_chain']);
        $this->assertSame('contact', $agent['last_action']);
    }

    public function testALaterRequestUpdatesTheSameAgentAndKeepsWhatItDoesNotSend(): void
    {
        $first = $this->store->transaction(fn (Store $s): int => $s->touchAgent([
            'agent_uuid' => self::UUID, 'device_id' => 'dev-1', 'action' => 'contact',
            'name' => 'GLPI-Agent', 'version' => '1.11', 'now' => '2026-01-01 00:00:00',
        ]));
        $second = $this->store->transaction(fn (Store $s): int => $s->touchAgent([
            'agent_uuid' => self::UUID, 'device_id' => 'dev-1', 'action' => 'inventory',
            'version' => '1.12', 'now' => '2026-01-02 00:00:00',
        ]));
        $this->assertSame($first, $second);
        $agent = $this->store->agent($first);
        $this->assertSame('GLPI-Agent', $agent['name']);
        $this->assertSame('1.12', $agent['version']);
        $this->assertSame('inventory', $agent['last_action']);
        $this->assertSame('2026-01-01 00:00:00', $agent['first_seen']);
        $this->assertSame('2026-01-02 00:00:00', $agent['last_contact']);
        $this->assertCount(1, $this->store->agents());
    }

    public function testLegacyAgentsAreKnownByDeviceIdAndAdoptedWhenTheyStartSendingAnAgentId(): void
    {
        $legacy = $this->store->transaction(fn (Store $s): int => $s->touchAgent(['device_id' => 'old-box', 'action' => 'prolog']));
        $again = $this->store->transaction(fn (Store $s): int => $s->touchAgent(['device_id' => 'old-box', 'action' => 'inventory']));
        $this->assertSame($legacy, $again);
        $adopted = $this->store->transaction(fn (Store $s): int => $s->touchAgent(['agent_uuid' => self::UUID, 'device_id' => 'old-box', 'action' => 'contact']));
        $this->assertSame($legacy, $adopted);
        $this->assertSame(self::UUID, $this->store->agent($legacy)['agent_uuid']);
        $other = $this->store->transaction(fn (Store $s): int => $s->touchAgent(['device_id' => 'other-box', 'action' => 'prolog']));
        $this->assertNotSame($legacy, $other);
        $this->assertCount(2, $this->store->agents());
    }

    public function testInventoryContentIsKeptByteForByte(): void
    {
        $content = json_encode(['deviceid' => 'd', 'content' => ['name' => 'Поле ✓ 𝄞', 'blob' => str_repeat('x', 300000)]], JSON_UNESCAPED_UNICODE);
        $this->store->transaction(function (Store $s) use ($content): void {
            $agent = $s->touchAgent(['agent_uuid' => self::UUID, 'device_id' => 'd', 'action' => 'inventory']);
            $s->addInventory($agent, [
                'action' => 'inventory', 'itemtype' => 'Computer', 'device_id' => 'd', 'request_id' => 'F4CCE510',
                'partial' => true, 'format' => 'json', 'compression' => 'zlib', 'raw_size' => 1234,
                'decoded_size' => strlen($content), 'decode_us' => 42, 'content' => $content,
            ]);
        });
        $rows = $this->store->inventories();
        $this->assertCount(1, $rows);
        $row = $rows[0];
        $this->assertSame(self::UUID, $row['agent_uuid']);
        $this->assertSame(['inventory', 'Computer', 'F4CCE510', 1, 'json', 'zlib', 1234, strlen($content), 42],
            [$row['action'], $row['itemtype'], $row['request_id'], $row['partial'], $row['format'], $row['compression'], $row['raw_size'], $row['decoded_size'], $row['decode_us']]);
        $this->assertSame($content, $this->store->inventoryContent($row['id']));
        $this->assertSame([], $this->store->inventories($row['id']));
        $this->assertSame($row['id'], $this->store->lastInventoryId());
    }

    public function testAFailedTransactionLeavesNothingBehind(): void
    {
        $before = $this->store->snapshot();
        try {
            $this->store->transaction(function (Store $s): void {
                $agent = $s->touchAgent(['agent_uuid' => self::UUID, 'device_id' => 'd', 'action' => 'inventory']);
                $s->addInventory($agent, [
                    'action' => 'inventory', 'itemtype' => 'Computer', 'device_id' => 'd', 'format' => 'json',
                    'compression' => 'none', 'raw_size' => 2, 'decoded_size' => 2, 'decode_us' => 1, 'content' => '{}',
                ]);
                $s->saveAnswer(self::UUID, 'ABCDEF01', 'inventory', 200, 'application/json', '{"status":"ok"}');
                throw new \RuntimeException('crash in the middle of a request');
            });
            $this->fail('the exception must come through');
        } catch (\RuntimeException $e) {
            $this->assertSame('crash in the middle of a request', $e->getMessage());
        }
        $this->assertSame($before, $this->store->snapshot());
        // The connection is usable again afterwards.
        $this->store->transaction(fn (Store $s): int => $s->touchAgent(['device_id' => 'd', 'action' => 'prolog']));
        $this->assertCount(1, $this->store->agents());
    }

    public function testAnswersAreKeptPerAgentAndRequestId(): void
    {
        $this->assertNull($this->store->findAnswer(self::UUID, 'F4CCE510'));
        $this->store->transaction(fn (Store $s) => $s->saveAnswer(self::UUID, 'F4CCE510', 'contact', 200, 'application/x-compress-zlib', '{"status":"ok","expiration":24}'));
        $this->store->transaction(fn (Store $s) => $s->saveAnswer(self::UUID, 'F4CCE510', 'inventory', 200, 'application/json', '{"status":"ok"}'));
        $this->store->transaction(fn (Store $s) => $s->saveAnswer('3a609a2e-947f-4e6a-9af9-32c024ac3944', 'F4CCE510', 'contact', 400, 'application/json', '{"status":"error"}'));
        $this->assertSame(
            ['action' => 'inventory', 'http_status' => 200, 'content_type' => 'application/json', 'answer' => '{"status":"ok"}'],
            $this->store->findAnswer(self::UUID, 'F4CCE510')
        );
        $this->assertSame(400, $this->store->findAnswer('3a609a2e-947f-4e6a-9af9-32c024ac3944', 'F4CCE510')['http_status']);
        $this->assertCount(2, $this->store->snapshot()['answers']);
    }

    public function testTheSqliteLogIsCheckpointedOutsideCommitsAndStaysBounded(): void
    {
        if ($this->store->driver() !== 'sqlite') {
            $this->markTestSkipped('SQLite only');
        }
        $this->assertSame('0', (string) $this->store->pdo()->query('PRAGMA wal_autocheckpoint')->fetchColumn());
        $content = str_repeat('{"name":"x"}', 20000);
        for ($i = 0; $i < 60; $i++) {
            $this->store->transaction(function (Store $s) use ($content): void {
                $agent = $s->touchAgent(['agent_uuid' => self::UUID, 'device_id' => 'd', 'action' => 'inventory']);
                $s->addInventory($agent, [
                    'action' => 'inventory', 'itemtype' => 'Computer', 'device_id' => 'd', 'format' => 'json',
                    'compression' => 'none', 'raw_size' => 1, 'decoded_size' => strlen($content), 'decode_us' => 1, 'content' => $content,
                ]);
            });
        }
        // 14 MB written in all; the log is cut back after each checkpoint.
        $wal = substr($this->settings['dsn'], 7) . '-wal';
        clearstatcache();
        $this->assertLessThan(6 << 20, filesize($wal));
        $this->assertCount(60, $this->store->inventories());
    }

    public function testOverlongAgentNamesAreClippedNotRefused(): void
    {
        $id = $this->store->transaction(fn (Store $s): int => $s->touchAgent([
            'device_id' => 'd', 'action' => 'contact', 'name' => str_repeat('é', 300),
        ]));
        $this->assertSame(str_repeat('é', 255), $this->store->agent($id)['name']);
    }
}
