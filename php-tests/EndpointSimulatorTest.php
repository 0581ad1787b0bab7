<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';

/**
 * tools/agent-sim.php, the agent of the README's main command, against the endpoint: the
 * plain protocol in every encoding, then REGISTER with a token, encrypted requests,
 * renewal, what it does when the server refuses it, and how it prints what a hostile
 * server sends.
 */
final class EndpointSimulatorTest extends EndpointTestCase
{
    private static ?string $dir = null;
    private static ?EndpointServer $registering = null;
    /** @var resource|null php -S running hostileRouter() */
    private static $hostile = null;
    private static int $hostilePort = 0;

    /** Clear screen, window title and bell, CSI as one C1 character, a right-to-left override. */
    private const HOSTILE = "evil\e[2J\e]0;owned\x07 \u{9b}31m \u{202e}txet";

    private static function dir(): string
    {
        self::$dir ??= sys_get_temp_dir() . '/gap-sim-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        if (!is_dir(self::$dir)) {
            mkdir(self::$dir, 0700, true);
        }
        return self::$dir;
    }

    /** @return array<string, string> the store and KEK every process of this class shares */
    private static function storeEnv(): array
    {
        return self::storeSettings() + ['GAP_KEK_FILE' => self::dir() . '/kek.bin'];
    }

    private static function registering(): EndpointServer
    {
        return self::$registering ??= new EndpointServer(self::storeEnv() + ['GAP_REGISTER' => 'token']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$registering?->stop();
        self::$registering = null;
        if (self::$hostile !== null) {
            proc_terminate(self::$hostile);
            proc_close(self::$hostile);
            self::$hostile = null;
        }
        parent::tearDownAfterClass();
        if (self::$dir !== null) {
            self::removeDirectory(self::$dir);
            self::$dir = null;
        }
    }

    /** @return array{0: int, 1: string, 2: string} exit code, stdout, stderr */
    private static function tool(string $script, string ...$args): array
    {
        return self::runTool($script, self::storeEnv(), ...$args);
    }

    /**
     * Runs the simulator with --summary-json and returns its exit code and summary.
     *
     * @return array{0: int, 1: array<string, mixed>}
     */
    private function simulate(EndpointServer $server, string $state, string ...$args): array
    {
        [$code, $out, $err] = self::tool('agent-sim.php', '--server', $server->url(), '--state', $state, '--quiet', '--summary-json', ...$args);
        $start = strpos($out, "{\n");
        $this->assertNotFalse($start, "no summary; stdout: $out; stderr: $err");
        $summary = json_decode(substr($out, $start), true);
        $this->assertIsArray($summary, "summary is not JSON: $out");
        return [$code, $summary];
    }

    /** @return list<string> "STEP STATUS" of each exchange */
    private static function steps(array $summary): array
    {
        return array_map(static fn (array $x): string => $x['step'] . ' ' . $x['status'], $summary['exchanges']);
    }

    /** A token written by tools/admin.php to a file of its own, never to its output. */
    private function createToken(): string
    {
        $file = self::dir() . '/token-' . bin2hex(random_bytes(4));
        [$code, $out, $err] = self::tool('admin.php', 'token', 'create', '--comment', 'simulator', '--token-file', $file);
        $this->assertSame(0, $code, $err);
        $this->assertMatchesRegularExpression('/^token \d+: written to /', $out);
        $this->assertSame(0600, fileperms($file) & 0777);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\n$/', (string) file_get_contents($file));
        $this->assertStringNotContainsString(trim((string) file_get_contents($file)), $out);
        // The file is never overwritten: a second token cannot replace the first one unseen.
        [$code, , $err] = self::tool('admin.php', 'token', 'create', '--token-file', $file);
        $this->assertSame(1, $code);
        $this->assertStringContainsString('must not exist yet', $err);
        return $file;
    }

    public function testPlainRunsStoreOneInventoryPerEncoding(): void
    {
        $state = self::dir() . '/plain-agent.json';
        foreach (['zlib', 'gzip', 'deflate', 'br', 'none'] as $encoding) {
            [$code, $summary] = $this->simulate(self::$server, $state, '--compression', $encoding);
            $this->assertSame(0, $code, $encoding . ': ' . json_encode(self::steps($summary)));
            $this->assertSame(['PROLOG 200', 'CONTACT 200', 'INVENTORY 200'], self::steps($summary), $encoding);
        }
        $inventories = $this->store->inventories();
        $this->assertSame(['zlib', 'gzip', 'deflate', 'br', 'none'], array_column($inventories, 'compression'));
        $agents = $this->store->agents();
        $this->assertCount(1, $agents, 'one state file, one agent');
        $this->assertSame($summary['agentid'], $agents[0]['agent_uuid']);
    }

    public function testRegisteredAgentSendsOnlyEncryptedRequestsAndRenews(): void
    {
        $server = self::registering();
        $token = $this->createToken();
        $state = self::dir() . '/registered-agent.json';

        [$code, $summary] = $this->simulate($server, $state, '--token-file', $token);
        $this->assertSame(0, $code, json_encode(self::steps($summary)));
        $this->assertSame(['REGISTER 200', 'REGISTER (challenge) 200', 'PROLOG 200', 'CONTACT 200', 'INVENTORY 200'], self::steps($summary));
        $this->assertSame('pending', $summary['exchanges'][0]['answer']['status']);
        $this->assertSame('token-validation', $summary['exchanges'][0]['answer']['needs']);
        $this->assertSame('registered', $summary['exchanges'][1]['answer']['status']);
        // Encrypted on the wire: the stored inventory is the JSON the simulator sealed.
        $inventories = $this->store->inventories();
        $this->assertCount(1, $inventories);
        $this->assertSame('inventory', $inventories[0]['action']);
        $this->assertNotNull(json_decode((string) $this->store->inventoryContent((int) $inventories[0]['id'])));

        // The state file holds the session key: its owner only.
        $this->assertSame(0600, fileperms($state) & 0777);
        $first = json_decode((string) file_get_contents($state), true)['registration'];
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $first['key']);
        $this->assertStringNotContainsString($first['key'], $server->log());

        // Still fresh: no new registration, requests go out sealed with the same key.
        [$code, $summary] = $this->simulate($server, $state, '--token-file', $token, '--steps', 'register,contact');
        $this->assertSame(0, $code);
        $this->assertSame(['CONTACT 200'], self::steps($summary));

        // A plain request from a registered agent is refused, and the simulator says so.
        [$code, $summary] = $this->simulate($server, $state, '--steps', 'contact', '--plain');
        $this->assertSame(1, $code);
        $this->assertSame(['CONTACT 403'], self::steps($summary));
        $this->assertSame('encryption required', $summary['exchanges'][0]['answer']['message']);

        // Renewal runs encrypted under the current key and brings a new key.
        [$code, $summary] = $this->simulate($server, $state, '--token-file', $token, '--steps', 'register,contact', '--renew');
        $this->assertSame(0, $code, json_encode(self::steps($summary)));
        $this->assertSame(['REGISTER 200', 'REGISTER (challenge) 200', 'CONTACT 200'], self::steps($summary));
        $second = json_decode((string) file_get_contents($state), true)['registration'];
        $this->assertNotSame($first['key'], $second['key']);

        // Forced to register again: the sealed REGISTER is refused with "key expired", and
        // the simulator registers in the clear with its token.
        [$code, , $err] = self::tool('admin.php', 'agent', 'force-register', $summary['agentid']);
        $this->assertSame(0, $code, $err);
        [$code, $summary] = $this->simulate($server, $state, '--token-file', $token, '--steps', 'register,contact', '--renew');
        $this->assertSame(0, $code, json_encode(self::steps($summary)));
        $this->assertSame(['REGISTER 403', 'REGISTER 200', 'REGISTER (challenge) 200', 'CONTACT 200'], self::steps($summary));
        $this->assertSame('key expired', $summary['exchanges'][0]['answer']['message']);
    }

    public function testWrongTokenEndsTheRunWithoutARegistration(): void
    {
        $server = self::registering();
        $this->createToken();
        $wrong = self::dir() . '/wrong-token';
        file_put_contents($wrong, \GlpiAgentProtocol\generate_token());
        $state = self::dir() . '/wrong-agent.json';

        [$code, $summary] = $this->simulate($server, $state, '--token-file', $wrong);
        $this->assertSame(1, $code);
        // The server's challenge does not decrypt to this agent's id under the wrong token:
        // the simulator answers "failure" (spec 6.2.2), then stops.
        $this->assertSame(['REGISTER 200', 'REGISTER (failure) 403', 'REGISTER (outcome) 0'], self::steps($summary));
        $this->assertSame('challenge failed', $summary['exchanges'][1]['answer']['message']);
        $this->assertArrayNotHasKey('registration', json_decode((string) file_get_contents($state), true));
        $this->assertSame([], $this->store->inventories());
    }

    /**
     * A server that is not the endpoint: every answer carries escape sequences in its
     * status line, its headers and its body, a JSON error for "?json", raw text (with a
     * byte that is not UTF-8) for "?text".
     */
    private static function hostileServer(): string
    {
        if (self::$hostile === null) {
            $router = self::dir() . '/hostile-router.php';
            file_put_contents($router, '<?php' . "\n"
                . '$evil = ' . var_export(self::HOSTILE, true) . ";\n"
                . 'header("HTTP/1.1 400 Bad $evil");' . "\n"
                . 'header("GLPI-Request-ID: $evil");' . "\n"
                . 'if ($_SERVER["QUERY_STRING"] === "text") {' . "\n"
                . '    header("Content-Type: text/plain; x=$evil");' . "\n"
                . '    echo "first line $evil\nsecond\rline \xff\n";' . "\n"
                . '} else {' . "\n"
                . '    header("Content-Type: application/json");' . "\n"
                . '    echo json_encode(["status" => "error", "message" => $evil], JSON_UNESCAPED_UNICODE);' . "\n"
                . "}\n");
            $log = self::dir() . '/hostile.log';
            // A port found free may be taken before php -S binds it: only its "started" line
            // for that port proves it listens.
            for ($attempt = 0; $attempt < 5 && self::$hostile === null; $attempt++) {
                $probe = stream_socket_server('tcp://127.0.0.1:0');
                $port = (int) substr(strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
                fclose($probe);
                file_put_contents($log, '');
                $process = proc_open([PHP_BINARY, '-S', "127.0.0.1:$port", $router], [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
                $deadline = microtime(true) + 10;
                while (microtime(true) < $deadline && proc_get_status($process)['running']) {
                    if (str_contains((string) file_get_contents($log), "(http://127.0.0.1:$port) started")) {
                        self::$hostile = $process;
                        self::$hostilePort = $port;
                        break;
                    }
                    usleep(20000);
                }
                if (self::$hostile === null) {
                    proc_terminate($process);
                    proc_close($process);
                }
            }
            self::assertNotNull(self::$hostile, 'the hostile server did not start: ' . file_get_contents($log));
        }
        return 'http://127.0.0.1:' . self::$hostilePort . '/';
    }

    private static function assertPrintable(string $output): void
    {
        // Newlines end the tool's own lines; nothing else below 0x20, no DEL, no C1, no override.
        self::assertDoesNotMatchRegularExpression('/[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80\xae/', $output, 'a control character reached the terminal');
        self::assertTrue(mb_check_encoding($output, 'UTF-8'), 'the output is UTF-8');
    }

    public function testServerTextIsPrintedEscaped(): void
    {
        $url = self::hostileServer();
        $state = self::dir() . '/hostile-agent.json';
        $escaped = 'evil\x1b[2J\x1b]0;owned\x07 \u{009b}31m \u{202e}txet';

        // In full: the status line, the headers shown and the JSON answer.
        [$code, $out, $err] = self::tool('agent-sim.php', '--server', "{$url}?json", '--state', $state, '--steps', 'contact');
        $this->assertSame(1, $code, $err);
        self::assertPrintable($out);
        $this->assertStringContainsString("← 400 Bad $escaped in ", $out);
        $this->assertStringContainsString("  GLPI-Request-ID: $escaped\n", $out);
        // JSON has written ESC as \u001b already; the BEL, C1 and override come through
        // raw in JSON text and are escaped here, the backslash doubled as Terminal::text()
        // doubles every backslash.
        $this->assertStringContainsString('"message": "evil\\\\u001b[2J\\\\u001b]0;owned\\\\u0007 \u{009b}31m \u{202e}txet"', $out);

        // Raw text, a line at a time, its byte that is not UTF-8 as \xff.
        [$code, $out, $err] = self::tool('agent-sim.php', '--server', "{$url}?text", '--state', $state, '--steps', 'contact');
        $this->assertSame(1, $code, $err);
        self::assertPrintable($out);
        // (PHP's built-in server spells it Content-type and adds a charset.)
        $this->assertStringContainsString("  Content-type: text/plain; x=$escaped;", $out);
        $this->assertStringContainsString("  first line $escaped\n  second\\x0dline \\xff\n", $out);

        // One line per exchange: the status and the answer's text.
        [$code, $out, $err] = self::tool('agent-sim.php', '--server', "{$url}?text", '--state', $state, '--steps', 'contact', '--quiet');
        $this->assertSame(1, $code, $err);
        self::assertPrintable($out);
        $this->assertStringContainsString("400 Bad $escaped", $out);
        $this->assertStringContainsString("first line $escaped second line \\xff", $out);
    }
}
