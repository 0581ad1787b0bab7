<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/support/EndpointTestCase.php';
require_once __DIR__ . '/support/TestAgent.php';

/**
 * Every file and directory the endpoint and its tools create (SQLite database, its log,
 * shared memory and lock file, the KEK, the cleanup stamp) is private to their owner,
 * whatever the umask: created by server/migrate.php, tools/admin.php and the endpoint under
 * HTTP in directories that do not exist yet. The SQLite store is this class's own,
 * whichever store the other tests use.
 */
final class EndpointFileModesTest extends EndpointTestCase
{
    private string $dir;
    private ?EndpointServer $own = null;

    protected function tearDown(): void
    {
        $this->own?->stop();
        $this->own = null;
        parent::tearDown();
    }

    /** @return array<string, string> mode of every entry below $dir, by path relative to it */
    private function modes(): array
    {
        clearstatcache();
        $modes = [];
        foreach (['db', 'keys'] as $sub) {
            $modes[$sub] = sprintf('%04o', fileperms("{$this->dir}/$sub") & 0777);
            foreach (glob("{$this->dir}/$sub/{,.}[!.]*", GLOB_BRACE) ?: [] as $path) {
                $modes[$sub . '/' . basename($path)] = sprintf('%04o', fileperms($path) & 0777);
            }
        }
        ksort($modes);
        return $modes;
    }

    public function testStoreKekAndStampAreCreatedReadableByTheirOwnerOnly(): void
    {
        $this->dir = self::classDirectory();
        $env = ['GAP_STORE_DSN' => "sqlite:{$this->dir}/db/store.sqlite", 'GAP_KEK_FILE' => "{$this->dir}/keys/kek.bin", 'GAP_REGISTER' => 'token'];
        // The umask a service commonly runs with: it would leave every new file 0644.
        $umask = umask(0022);
        try {
            $migrate = proc_open([PHP_BINARY, dirname(__DIR__) . '/server/migrate.php'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + getenv());
            $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
            fclose($pipes[1]);
            fclose($pipes[2]);
            $this->assertSame(0, proc_close($migrate), $out);
            [$code, $out, $err] = self::runTool('admin.php', $env, 'token', 'create');
            $this->assertSame(0, $code, $err);
            preg_match('/^token \d+: ([0-9a-f-]{36})$/m', $out, $m);

            $this->own = new EndpointServer($env);
            $agent = new TestAgent(self::AGENT_ID);
            $agent->register($m[1], $this->own->port());
            $answer = $agent->post($this->own->port(), $agent->contact());
            $this->assertSame(200, $answer->status, $answer->plain());
        } finally {
            umask($umask);
        }

        $modes = $this->modes();
        // The SQLite files exist while the endpoint holds its persistent connection.
        foreach (['db', 'db/store.sqlite', 'db/store.sqlite.lock', 'db/store.sqlite-wal', 'db/store.sqlite-shm', 'keys', 'keys/kek.bin', 'keys/kek.bin.cleanup'] as $expected) {
            $this->assertArrayHasKey($expected, $modes, 'created: ' . json_encode($modes));
        }
        foreach ($modes as $path => $mode) {
            $this->assertSame(in_array($path, ['db', 'keys'], true) ? '0700' : '0600', $mode, "mode of $path");
        }
    }
}
