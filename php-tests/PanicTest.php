<?php
// A Rust panic inside the extension reaches PHP as \Error, never as ProtocolException, and the
// process goes on (contract, "Errors"). It needs a build with the panic-test feature, which
// adds GlpiAgentProtocol\panic_for_test(); `make test` builds one in target/panic-test.

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use PHPUnit\Framework\TestCase;

final class PanicTest extends TestCase
{
    private static function extension(): ?string
    {
        $path = getenv('GAP_PANIC_TEST_EXTENSION') ?: PROJECT_ROOT . '/target/panic-test/release/libglpi_agent_protocol.so';
        return is_file($path) ? $path : null;
    }

    public function testAPanicIsAnErrorAndTheProcessGoesOn(): void
    {
        $so = self::extension();
        if ($so === null) {
            if (getenv('GAP_REQUIRE_PANIC_TEST')) {
                $this->fail('no panic-test build: cargo build --release --features panic-test --target-dir target/panic-test');
            }
            $this->markTestSkipped('no panic-test build (make test builds one)');
        }
        $script = <<<'PHP'
            foreach (['function', 'handler'] as $site) {
                try {
                    GlpiAgentProtocol\panic_for_test($site);
                    echo "$site: returned\n";
                } catch (GlpiAgentProtocol\ProtocolException $e) {
                    echo "$site: ProtocolException\n";
                } catch (\Error $e) {
                    echo "$site: ", get_class($e), ': ', $e->getMessage(), "\n";
                }
            }
            // The engine and the extension still work after both.
            $r = GlpiAgentProtocol\Request::decode('{"action":"contact","deviceid":"d"}', ['Content-Type' => 'application/json']);
            echo 'after: ', $r->action(), "\n";
            PHP;
        $cmd = escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg($so) . ' -r ' . escapeshellarg($script) . ' 2>/dev/null';
        exec($cmd, $out, $status);
        $this->assertSame(0, $status, implode("\n", $out));
        $this->assertSame([
            // ext-php-rs's own guard around the functions it wraps.
            'function: Error: Rust panic: a test panic in a function',
            // The extension's guard around the handlers the engine calls directly.
            'handler: Error: internal error in the glpi_agent_protocol extension',
            'after: contact',
        ], $out);
    }
}
