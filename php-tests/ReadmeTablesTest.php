<?php
declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use PHPUnit\Framework\TestCase;

/**
 * bench/readme-tables.php: README's benchmark tables are the tables of bench/results/*.md,
 * and the script that copies them changes nothing once they are.
 */
final class ReadmeTablesTest extends TestCase
{
    private ?string $dir = null;

    protected function tearDown(): void
    {
        if ($this->dir !== null) {
            foreach (glob($this->dir . '/results/*') ?: [] as $file) {
                unlink($file);
            }
            @rmdir($this->dir . '/results');
            @unlink($this->dir . '/README.md');
            rmdir($this->dir);
        }
    }

    /** @return array{0: int, 1: string, 2: string} exit code, stdout, stderr */
    private static function script(string ...$args): array
    {
        $process = proc_open([PHP_BINARY, dirname(__DIR__) . '/bench/readme-tables.php', ...$args], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($process), $out, $err];
    }

    /** A copy of README.md and bench/results/ to change. */
    private function copy(): string
    {
        $this->dir = sys_get_temp_dir() . '/gap-readme-tables-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir . '/results', 0700, true);
        copy(dirname(__DIR__) . '/README.md', $this->dir . '/README.md');
        foreach (glob(dirname(__DIR__) . '/bench/results/*.md') as $file) {
            copy($file, $this->dir . '/results/' . basename($file));
        }
        return $this->dir;
    }

    public function testReadmeIsInSyncWithTheResults(): void
    {
        [$code, $out, $err] = self::script('--check');
        $this->assertSame(0, $code, "README.md is out of sync: run php bench/readme-tables.php\n$out$err");
        $this->assertStringContainsString('every table is in sync', $out);
    }

    public function testRunningItOnTheCurrentFilesChangesNothing(): void
    {
        $dir = $this->copy();
        [$code, , $err] = self::script("$dir/README.md", "$dir/results");
        $this->assertSame(0, $code, $err);
        $this->assertSame(file_get_contents(dirname(__DIR__) . '/README.md'), file_get_contents("$dir/README.md"));
    }

    public function testAChangedResultReachesItsTableOnlyAndOnce(): void
    {
        $dir = $this->copy();
        $results = (string) file_get_contents("$dir/results/answer.md");
        $row = preg_match('/^\| contact with 200 jobs \|.*$/m', $results, $m) ? $m[0] : $this->fail('no such row in answer.md');
        file_put_contents("$dir/results/answer.md", str_replace($row, '| contact with 200 jobs | 1.0 | 2.0 | 0.50x |', $results));
        $before = (string) file_get_contents("$dir/README.md");

        [$code, $out] = self::script('--check', "$dir/README.md", "$dir/results");
        $this->assertSame(1, $code);
        $this->assertStringContainsString('out of sync', $out);
        $this->assertStringEndsWith(": bench:answer\n", $out);
        $this->assertSame($before, file_get_contents("$dir/README.md"), '--check writes nothing');

        [$code, $out, $err] = self::script("$dir/README.md", "$dir/results");
        $this->assertSame(0, $code, $err);
        $this->assertStringEndsWith("updated bench:answer\n", $out);
        $this->assertSame(str_replace($row, '| contact with 200 jobs | 1.0 | 2.0 | 0.50x |', $before), file_get_contents("$dir/README.md"));

        $after = file_get_contents("$dir/README.md");
        [$code, $out] = self::script("$dir/README.md", "$dir/results");
        $this->assertSame(0, $code);
        $this->assertStringContainsString('every table is in sync', $out);
        $this->assertSame($after, file_get_contents("$dir/README.md"));
    }

    /** @return iterable<string, array{0: callable(string): void, 1: string}> */
    public static function brokenInputs(): iterable
    {
        yield 'results file without its marker' => [
            static fn (string $dir) => copy("$dir/results/answer.md", "$dir/results/extra.md"),
            'README has no <!-- bench:extra --> marker for',
        ];
        yield 'marker without its results file' => [
            static fn (string $dir) => unlink("$dir/results/x509.md"),
            'x509.md, which does not exist',
        ];
        yield 'marker without its table' => [
            static fn (string $dir) => file_put_contents("$dir/README.md", str_replace(['<!-- bench:register#3 -->', '<!-- /bench:register#3 -->'], ['<!-- bench:register#4 -->', '<!-- /bench:register#4 -->'], (string) file_get_contents("$dir/README.md"))),
            'register.md has no table 4 (it has 3)',
        ];
        yield 'marker never closed' => [
            static fn (string $dir) => file_put_contents("$dir/README.md", str_replace('<!-- /bench:convert -->', '', (string) file_get_contents("$dir/README.md"))),
            '<!-- bench:convert --> has no <!-- /bench:convert --> before the next marker',
        ];
        yield 'closing marker alone' => [
            static fn (string $dir) => file_put_contents("$dir/README.md", str_replace('<!-- bench:answer -->', '', (string) file_get_contents("$dir/README.md"))),
            '<!-- /bench:answer --> closes nothing',
        ];
    }

    /** @dataProvider brokenInputs */
    public function testMissingMarkersOrResultsFailLoudly(callable $break, string $message): void
    {
        $dir = $this->copy();
        $break($dir);
        $before = file_get_contents("$dir/README.md");
        foreach ([[], ['--check']] as $check) {
            [$code, $out, $err] = self::script(...[...$check, "$dir/README.md", "$dir/results"]);
            $this->assertSame(2, $code, $out);
            $this->assertStringStartsWith('readme-tables: ', $err);
            $this->assertStringContainsString($message, $err);
            $this->assertSame($before, file_get_contents("$dir/README.md"));
        }
    }
}
