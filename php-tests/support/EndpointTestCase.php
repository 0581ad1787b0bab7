<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Store;
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/TestStore.php';
require_once __DIR__ . '/EndpointServer.php';

/**
 * Tests that talk HTTP to the real endpoint. One server per test class, configured by
 * serverEnv(); the database (SQLite, or GAP_TEST_DSN) is emptied before each test.
 */
abstract class EndpointTestCase extends TestCase
{
    protected const AGENT_ID = '8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9';
    protected const OTHER_ID = '3a609a2e-947f-4e6a-9af9-32c024ac3944';

    protected static ?EndpointServer $server = null;
    /** @var array{dsn: string, user: ?string, password: ?string, cleanup: ?string}|null */
    protected static ?array $settings = null;
    protected Store $store;

    /** @return array<string, string> GAP_* settings of this class's server */
    protected static function serverEnv(): array
    {
        return [];
    }

    public static function setUpBeforeClass(): void
    {
        if (!extension_loaded('glpi_agent_protocol')) {
            self::markTestSkipped('the glpi_agent_protocol extension is not loaded (run with php -d extension=...)');
        }
        self::$settings = TestStore::settings();
        TestStore::open(self::$settings);
        self::$server = new EndpointServer(array_merge(self::storeSettings(), static::serverEnv()));
    }

    public static function tearDownAfterClass(): void
    {
        self::$server?->stop();
        self::$server = null;
        if (self::$settings !== null) {
            TestStore::cleanup(self::$settings);
            self::$settings = null;
        }
    }

    protected function setUp(): void
    {
        $this->store = TestStore::fresh(self::$settings);
    }

    protected function tearDown(): void
    {
        if ($this->hasFailed() && self::$server !== null) {
            $log = explode("\n", rtrim(self::$server->log()));
            fwrite(STDERR, "\nendpoint log (end):\n" . implode("\n", array_slice($log, -15)) . "\n");
        }
        unset($this->store);
    }

    /** @param array<string, string> $headers */
    protected function post(array $headers, string $body): HttpAnswer
    {
        return self::$server->request('POST', $headers + ['Pragma' => 'no-cache'], $body);
    }

    /** Headers glpi-agent sends. */
    protected static function agentHeaders(string $contentType = 'application/x-compress-zlib', ?string $requestId = null): array
    {
        $headers = ['Content-Type' => $contentType, 'User-Agent' => 'GLPI-Agent_v1.12-dev', 'GLPI-Agent-ID' => self::AGENT_ID];
        if ($requestId !== null) {
            $headers['GLPI-Request-ID'] = $requestId;
        }
        return $headers;
    }

    /** Headers FusionInventory sends: no agent id. */
    protected static function legacyHeaders(string $contentType = 'application/x-compress-zlib'): array
    {
        return ['Content-Type' => $contentType, 'User-Agent' => 'FusionInventory-Agent_v2.6-3'];
    }

    protected static function wire(string $name): string
    {
        $data = file_get_contents(__DIR__ . "/../data/wire/$name");
        if ($data === false) {
            throw new \RuntimeException("missing test data $name");
        }
        return $data;
    }

    protected static function sample(string $name): string
    {
        return (string) file_get_contents(dirname(__DIR__, 2) . "/samples/$name");
    }

    /** Compresses with PHP's own functions (brotli, which PHP lacks, with the extension). */
    protected static function compressWith(string $data, string $encoding): string
    {
        return match ($encoding) {
            'zlib' => gzcompress($data),
            'gzip' => gzencode($data),
            'deflate' => gzdeflate($data),
            'br' => \GlpiAgentProtocol\compress($data, 'br'),
            'none' => $data,
        };
    }

    protected static function contentTypeFor(string $encoding, string $mode = 'json'): string
    {
        return $encoding === 'none' ? "application/$mode" : "application/x-compress-$encoding";
    }

    /** A refused request: its status, its token, and nothing stored. */
    protected function assertRefused(HttpAnswer $answer, int $status, string $token, array $before): void
    {
        $this->assertSame($status, $answer->status, 'status; body: ' . substr($answer->plain(), 0, 300));
        $this->assertSame($token, $answer->token(), 'token');
        $this->assertSame($before, $this->store->snapshot(), 'the database must be unchanged by a refused request');
    }

    /** @return array<string, string> the GAP_* settings naming this class's store, for other processes */
    protected static function storeSettings(): array
    {
        $env = ['GAP_STORE_DSN' => self::$settings['dsn']];
        if (self::$settings['user'] !== null) {
            $env['GAP_STORE_USER'] = self::$settings['user'];
            $env['GAP_STORE_PASSWORD'] = (string) self::$settings['password'];
        }
        return $env;
    }

    /** Deletes a test's own directory and every file in it, dot files included. */
    protected static function removeDirectory(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        foreach (glob($dir . '/{,.}[!.]*', GLOB_BRACE) ?: [] as $file) {
            unlink($file);
        }
        rmdir($dir);
    }

    /**
     * Runs tools/$script with the PHP arguments of this process (so the same extension),
     * the settings in $env and no other GAP_* variable.
     *
     * @param array<string, string> $env
     * @return array{0: int, 1: string, 2: string} exit code, stdout, stderr
     */
    protected static function runTool(string $script, array $env, string ...$args): array
    {
        $inherited = [];
        foreach (getenv() as $k => $v) {
            if (!str_starts_with($k, 'GAP_')) {
                $inherited[$k] = $v;
            }
        }
        $command = [PHP_BINARY, ...EndpointServer::phpArguments(), dirname(__DIR__, 2) . "/tools/$script", ...$args];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, array_merge($inherited, $env));
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($process), (string) $out, (string) $err];
    }

    protected static function jsonMessage(array $message): string
    {
        return json_encode($message, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }
}
