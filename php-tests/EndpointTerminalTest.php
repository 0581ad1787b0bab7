<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Terminal;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/TestAgent.php';

/**
 * What agents send reaches the operator's terminal through tools/admin.php and
 * tools/store-summary.php: escape sequences in REGISTER's name, device id and failure text,
 * and in an inventory's itemtype, are stored as sent and printed escaped.
 */
final class EndpointTerminalTest extends EndpointTestCase
{
    /** Clear screen, window title, cursor up and erase line, CSI as one C1 byte, a right-to-left override. */
    private const NAME = "GLPI-Agent\e[2J\e]0;owned\x07";
    private const DEVICE_ID = "pc-1\e[1A\e[2Kfake-line";
    private const FAILURE = "no\r\u{9b}31m\e[2J\u{202e}txet";
    private const ITEMTYPE = "Computer\e[8m";
    private const FAILING_ID = 'c1d7e2a4-5b6f-4e8d-9a0b-1c2d3e4f5a6b';

    protected static function serverEnv(): array
    {
        return ['GAP_REGISTER' => 'token', 'GAP_KEK_FILE' => self::kekFile()];
    }

    private static function kekFile(): string
    {
        return self::classDirectory() . '/kek.bin';
    }

    /** @return array{0: int, 1: string, 2: string} */
    private static function tool(string $script, string ...$args): array
    {
        return self::runTool($script, self::storeSettings() + ['GAP_KEK_FILE' => self::kekFile()], ...$args);
    }

    private static function assertPrintable(string $output): void
    {
        // Newlines end the tool's own lines; nothing else below 0x20, no DEL, no C1.
        self::assertDoesNotMatchRegularExpression('/[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae/', $output, 'a control character reached the terminal');
        self::assertTrue(mb_check_encoding($output, 'UTF-8'), 'the output is UTF-8');
    }

    public function testEscapeSequencesFromAgentsArePrintedEscaped(): void
    {
        [$code, $out, $err] = self::tool('admin.php', 'token', 'create');
        $this->assertSame(0, $code, $err);
        preg_match('/^token \d+: ([0-9a-f-]{36})$/m', $out, $m);
        $token = $m[1];

        // One agent registers with hostile name and device id, then inventories with a
        // hostile itemtype; another answers its challenge with a hostile failure text.
        (new TestAgent(self::AGENT_ID, self::DEVICE_ID, self::NAME))->register($token, self::$server->port());
        $inventorying = new TestAgent(self::OTHER_ID);
        $inventorying->register($token, self::$server->port());
        $inventory = TestAgent::json(['action' => 'inventory', 'deviceid' => 'pc-2', 'itemtype' => self::ITEMTYPE, 'content' => ['hardware' => ['name' => 'pc-2']]]);
        $this->assertSame(200, $inventorying->post(self::$server->port(), $inventory)->status);
        $failing = new TestAgent(self::FAILING_ID);
        $failing->askChallenge(self::$server->port());
        $answer = $failing->post(self::$server->port(), TestAgent::answerMessage(self::FAILURE));
        $this->assertSame(403, $answer->status);
        $this->assertSame('challenge failed', $answer->token());

        // Stored as the agents sent them: escaping is the printer's job.
        $before = $this->store->snapshot();
        $stored = $this->store->agentByUuid(self::AGENT_ID);
        $this->assertSame(self::NAME, $stored['name']);
        $this->assertSame(self::DEVICE_ID, $stored['device_id']);
        $this->assertSame(self::ITEMTYPE, $this->store->inventories()[0]['itemtype']);
        $this->assertSame('agent says: ' . self::FAILURE, end($before['register_failures'])['detail']);

        [$code, $list, $err] = self::tool('admin.php', 'agent', 'list');
        $this->assertSame(0, $code, $err);
        self::assertPrintable($list);
        $this->assertStringContainsString('GLPI-Agent\x1b[2J\x1b]0;owned\x07', $list);
        $this->assertStringContainsString('pc-1\x1b[1A\x1b[2Kfake-line', $list);

        [$code, $audit, $err] = self::tool('admin.php', 'audit');
        $this->assertSame(0, $code, $err);
        self::assertPrintable($audit);
        [$code, $failures, $err] = self::tool('admin.php', 'failures');
        $this->assertSame(0, $code, $err);
        self::assertPrintable($failures);
        $this->assertStringContainsString('agent says: no\x0d\u{009b}31m\x1b[2J\u{202e}txet', $failures);

        [$code, $summary, $err] = self::tool('store-summary.php');
        $this->assertSame(0, $code, $err);
        self::assertPrintable($summary);
        $this->assertStringContainsString('pc-1\x1b[1A\x1b[2Kfake-line', $summary);
        $this->assertStringContainsString('Computer\x1b[8m', $summary);

        $this->assertSame($before, $this->store->snapshot(), 'printing changes nothing');
    }

    public function testTheEscapingIsUnambiguousAndKeepsPrintableText(): void
    {
        $this->assertSame('pc-1 é 漢 tab', Terminal::text('pc-1 é 漢 tab'));
        // A backslash in the data cannot pass for an escape the printer wrote.
        $this->assertSame('\\\\x1b', Terminal::text('\\x1b'));
        $this->assertSame('\x1b', Terminal::text("\e"));
        // Bytes that are not UTF-8 are shown, not dropped nor passed on.
        $this->assertSame('a\xff\xc2b', Terminal::text("a\xff\xc2b"));
        $this->assertSame('\x7f\u{0085}\u{2066}', Terminal::text("\x7f\u{85}\u{2066}"));
        $this->assertSame('42', Terminal::text(42));
        $this->assertSame('', Terminal::text(null));
    }
}
