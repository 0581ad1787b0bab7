<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * A database the endpoint cannot use (here: a schema that was never migrated) is "busy
 * server", so that agents keep their data and come back later, never a 500.
 */
final class EndpointBusyTest extends EndpointTestCase
{
    private static string $unmigrated;

    protected static function serverEnv(): array
    {
        self::$unmigrated = sys_get_temp_dir() . '/gap-unmigrated-' . bin2hex(random_bytes(4)) . '.sqlite';
        return ['GAP_STORE_DSN' => 'sqlite:' . self::$unmigrated, 'GAP_BUSY_EXPIRATION' => '15m'];
    }

    public static function tearDownAfterClass(): void
    {
        parent::tearDownAfterClass();
        foreach (glob(self::$unmigrated . '*') ?: [] as $file) {
            unlink($file);
        }
    }

    public function testAnInventoryIsAnsweredBusyWithTheBusyExpiration(): void
    {
        $answer = $this->post(self::agentHeaders(), self::wire('glpi-agent-02-inventory-full.zlib'));
        $this->assertSame(503, $answer->status);
        $this->assertSame('application/x-compress-zlib', $answer->contentType());
        $this->assertSame(['status' => 'error', 'message' => 'busy server', 'expiration' => '15m'], $answer->json());
    }

    public function testALegacyPrologIsAnsweredBusyInXml(): void
    {
        $answer = $this->post(self::legacyHeaders(), self::wire('fusioninventory-agent-01-prolog.zlib'));
        $this->assertSame(503, $answer->status);
        $this->assertSame('busy server', $answer->token());
    }

    public function testAGetRetryIsAnsweredBusy(): void
    {
        $answer = self::$server->request('GET', ['GLPI-Agent-ID' => self::AGENT_ID, 'GLPI-Request-ID' => '6FB6BD6B']);
        $this->assertSame(503, $answer->status);
        $this->assertSame('busy server', $answer->token());
    }
}
