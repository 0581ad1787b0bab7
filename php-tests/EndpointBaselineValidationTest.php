<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/ValidationCases.php';
require_once __DIR__ . '/EndpointValidationTest.php';

/**
 * The baseline validates as GLPI does, with GLPI's own inventory_format library when it is
 * there (../shared/oracle); without it, it stores inventories unchecked and says so.
 */
final class EndpointBaselineValidationTest extends EndpointTestCase
{
    protected static function serverEnv(): array
    {
        return [
            'GAP_BASELINE' => '1',
            'GAP_VALIDATION' => 'strict',
            'GAP_GLPI_INVENTORY_FORMAT' => \ValidationCases::oracleAutoload() ?? '/nonexistent/inventory_format/autoload.php',
        ];
    }

    public function testAnInventoryGlpiRefusesIsRefusedByTheBaseline(): void
    {
        $bad = EndpointValidationTest::inventory(function (object $m): void {
            $m->content->storages = [(object) ['name' => 'sda', 'disksize' => 'N']];
        });
        if (\ValidationCases::oracleAutoload() === null) {
            $this->assertSame(200, $this->post(self::agentHeaders(), $bad)->status);
            $this->assertStringContainsString("inventory_format library is not installed", self::$server->log());
            return;
        }
        $before = $this->store->snapshot();
        $this->assertRefused($this->post(self::agentHeaders(), $bad), 400, 'bad-format', $before);
        $this->assertStringContainsString('properties:storages->items[0]:0->properties:disksize', self::$server->log());
        $this->assertSame(200, $this->post(self::agentHeaders(), EndpointValidationTest::inventory())->status);
        $this->assertCount(1, $this->store->inventories());
    }
}
