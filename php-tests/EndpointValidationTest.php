<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * validation = strict (the default setting): an inventory GLPI would refuse is refused with
 * 400 bad-format, its first violation logged with its pointer, and nothing stored.
 */
final class EndpointValidationTest extends EndpointTestCase
{
    protected static function serverEnv(): array
    {
        return ['GAP_VALIDATION' => 'strict'];
    }

    /** The sample inventory as a message, with $change applied. */
    public static function inventory(?callable $change = null): string
    {
        $message = json_decode((string) file_get_contents(dirname(__DIR__) . '/samples/inventory.json'));
        $message->deviceid = 'pc-1-2026-01-01-00-00-00';
        $message->itemtype = 'Computer';
        if ($change !== null) {
            $change($message);
        }
        return gzcompress(json_encode($message, JSON_UNESCAPED_SLASHES));
    }

    public function testAValidInventoryIsStored(): void
    {
        $answer = $this->post(self::agentHeaders(), self::inventory());
        $this->assertSame(200, $answer->status, $answer->plain());
        $this->assertSame('ok', $answer->json()['status']);
        $this->assertCount(1, $this->store->inventories());
        $this->assertSame(0, $this->store->inventories()[0]['dropped_count']);
    }

    public function testAnInvalidInventoryIsRefusedAndNothingIsStored(): void
    {
        $before = $this->store->snapshot();
        $body = self::inventory(function (object $m): void {
            $m->content->storages = [(object) ['name' => 'sda', 'disksize' => 'N'], (object) ['name' => 'sdb', 'interface' => 7]];
        });
        $this->assertRefused($this->post(self::agentHeaders(), $body), 400, 'bad-format', $before);
        $this->assertStringContainsString('/content/storages/0/disksize type', self::$server->log());
        $this->assertStringContainsString('2 violations', self::$server->log());
    }

    public function testAClosedTopLevelKeyIsRefused(): void
    {
        $before = $this->store->snapshot();
        $body = self::inventory(fn (object $m) => $m->{'httpd-port'} = 62354);
        $this->assertRefused($this->post(self::agentHeaders(), $body), 400, 'bad-format', $before);
    }
}
