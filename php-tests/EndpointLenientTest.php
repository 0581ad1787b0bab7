<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/EndpointValidationTest.php';

/**
 * validation = lenient: the salvaged inventory is stored with the list of what was dropped,
 * and the inventory exactly as sent is kept beside it; what cannot be salvaged is refused.
 */
final class EndpointLenientTest extends EndpointTestCase
{
    protected static function serverEnv(): array
    {
        return ['GAP_VALIDATION' => 'lenient'];
    }

    public function testTheSalvagedInventoryIsStoredWithWhatWasDroppedAndTheOriginal(): void
    {
        $body = EndpointValidationTest::inventory(function (object $m): void {
            $m->content->storages = [(object) ['name' => 'sda', 'disksize' => 'N'], (object) ['name' => 'sdb', 'disksize' => 1024]];
            $m->content->networks = [(object) ['description' => 'eth0', 'ipaddress' => '01.2.3.4']];
        });
        $answer = $this->post(self::agentHeaders(), $body);
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame('ok', $answer->json()['status']);

        [$row] = $this->store->inventories();
        $this->assertSame(2, $row['dropped_count']);
        $this->assertSame(['/content/networks/0/ipaddress', '/content/storages/0/disksize'], array_column($row['dropped'], 'pointer'));
        $stored = json_decode($this->store->inventoryContent($row['id']));
        $this->assertFalse(property_exists($stored->content->storages[0], 'disksize'));
        $this->assertSame(1024, $stored->content->storages[1]->disksize);
        $this->assertTrue(\GlpiAgentProtocol\Inventory::validate($stored)->isValid());
        $this->assertSame(gzuncompress($body), $this->store->inventoryOriginal($row['id']), 'the inventory as sent is kept');

        [$code, $out] = self::runTool('store-summary.php', self::storeSettings());
        $this->assertSame(0, $code);
        $this->assertStringContainsString('2 part(s) dropped', $out);
        $this->assertStringContainsString('/content/storages/0/disksize  type', $out);
        [$code, $out] = self::runTool('admin.php', self::storeSettings(), 'inventory', 'original', (string) $row['id']);
        $this->assertSame(0, $code);
        $this->assertSame(gzuncompress($body) . "\n", $out);
    }

    public function testAValidInventoryIsStoredUnchanged(): void
    {
        $body = EndpointValidationTest::inventory();
        $this->assertSame(200, $this->post(self::agentHeaders(), $body)->status);
        [$row] = $this->store->inventories();
        $this->assertSame(0, $row['dropped_count']);
        $this->assertNull($this->store->inventoryOriginal($row['id']));
        $this->assertSame(gzuncompress($body), $this->store->inventoryContent($row['id']));
    }

    public function testWhatCannotBeSalvagedIsRefused(): void
    {
        $before = $this->store->snapshot();
        $body = EndpointValidationTest::inventory(fn (object $m) => $m->itemtype = 'Toaster');
        $this->assertRefused($this->post(self::agentHeaders(), $body), 400, 'bad-format', $before);
    }
}
