<?php

declare(strict_types=1);

namespace GlpiAgentProtocol\Tests;

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/support/ApiShape.php';

final class StubsTest extends TestCase
{
    private const STUBS = PROJECT_ROOT . '/stubs/glpi_agent_protocol.stubs.php';

    /** @return array{int, string, string} exit code, stdout, stderr */
    private static function exec(string $command): array
    {
        $p = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($p), $stdout, $stderr];
    }

    private static function generate(?string $src = null): array
    {
        $command = php_with_extension() . ' ' . escapeshellarg(PROJECT_ROOT . '/scripts/gen-stubs.php');
        if ($src !== null) {
            $command .= ' --src ' . escapeshellarg($src);
        }
        return self::exec($command);
    }

    private static function extension(): \ReflectionExtension
    {
        return new \ReflectionExtension('glpi_agent_protocol');
    }

    /**
     * Every function and method of the stub file with its doc comment, read from its tokens:
     * 'GlpiAgentProtocol\f' and 'GlpiAgentProtocol\C::m' => doc ('' when it has none).
     *
     * @return array<string, string>
     */
    private static function stubDocs(): array
    {
        $tokens = token_get_all(file_get_contents(self::STUBS), TOKEN_PARSE);
        $docs = [];
        $namespace = '';
        $class = null;
        $classDepth = 0;
        $depth = 0;
        $doc = '';
        $n = count($tokens);
        for ($i = 0; $i < $n; $i++) {
            $t = $tokens[$i];
            $id = is_array($t) ? $t[0] : $t;
            if ($id === T_DOC_COMMENT) {
                $doc = $t[1];
            } elseif ($id === T_NAMESPACE) {
                $namespace = '';
                for ($i++; $tokens[$i] !== '{' && $tokens[$i] !== ';'; $i++) {
                    if (is_array($tokens[$i]) && $tokens[$i][0] === T_NAME_QUALIFIED || is_array($tokens[$i]) && $tokens[$i][0] === T_STRING) {
                        $namespace = $tokens[$i][1];
                    }
                }
                $i--;
            } elseif ($id === T_CLASS || $id === T_INTERFACE) {
                for ($i++; !is_array($tokens[$i]) || $tokens[$i][0] !== T_STRING; $i++);
                $class = $namespace . '\\' . $tokens[$i][1];
                $docs[$class] = $doc;
                $classDepth = $depth;
                $doc = '';
            } elseif ($id === T_FUNCTION) {
                for ($i++; !is_array($tokens[$i]) || $tokens[$i][0] !== T_STRING; $i++);
                $name = $tokens[$i][1];
                $docs[$class !== null ? "$class::$name" : "$namespace\\$name"] = $doc;
                $doc = '';
            } elseif ($id === '{' || $id === T_CURLY_OPEN || $id === T_DOLLAR_OPEN_CURLY_BRACES) {
                $depth++;
            } elseif ($id === '}') {
                $depth--;
                if ($class !== null && $depth === $classDepth) {
                    $class = null;
                }
            } elseif ($id === ';') {
                $doc = '';
            }
        }
        return $docs;
    }

    /**
     * The tags of a doc comment, continuation lines joined: [['param', 'int $x ...'], ...].
     *
     * @return list<array{string, string}>
     */
    private static function tags(string $doc): array
    {
        $tags = [];
        foreach (explode("\n", $doc) as $line) {
            $line = preg_replace('#^\s*(/\*\*|\*/|\*)?#', '', $line);
            if (preg_match('/^ @(\w+)\s*(.*)$/', $line, $m)) {
                $tags[] = [$m[1], trim($m[2])];
            } elseif ($tags && preg_match('/^ \s+(\S.*)$/', $line, $m)) {
                $tags[count($tags) - 1][1] .= ' ' . trim($m[1]);
            }
        }
        return $tags;
    }

    /** @return list<\ReflectionFunctionAbstract> */
    private static function extensionFunctionsAndMethods(): array
    {
        $all = array_values(self::extension()->getFunctions());
        foreach (self::extension()->getClasses() as $c) {
            foreach ($c->getMethods() as $m) {
                if ($m->getDeclaringClass()->getName() === $c->getName()) {
                    $all[] = $m;
                }
            }
        }
        return $all;
    }

    private static function label(\ReflectionFunctionAbstract $f): string
    {
        return $f instanceof \ReflectionMethod ? $f->getDeclaringClass()->getName() . '::' . $f->getName() : $f->getName();
    }

    public function testCommittedStubsMatchTheLoadedExtension(): void
    {
        [$code, $generated, $stderr] = self::generate();
        $this->assertSame(0, $code, $stderr);
        $this->assertStringEqualsFile(self::STUBS, $generated, 'stubs drifted from the extension: run make stubs');
    }

    public function testTheStubsAreValidPhp(): void
    {
        [$code, $stdout] = self::exec(escapeshellarg(PHP_BINARY) . ' -n -l ' . escapeshellarg(self::STUBS));
        $this->assertSame(0, $code, $stdout);
        $this->assertStringContainsString('No syntax errors', $stdout);
    }

    public function testEveryClassFunctionAndMethodHasAPhpDocThatDocumentsItsSignature(): void
    {
        $docs = self::stubDocs();
        foreach (self::extension()->getClasses() as $c) {
            $this->assertNotSame('', $docs[$c->getName()] ?? '', $c->getName() . ' has no PHPDoc');
        }
        $checked = 0;
        foreach (self::extensionFunctionsAndMethods() as $f) {
            $label = self::label($f);
            $doc = $docs[$label] ?? '';
            $this->assertNotSame('', $doc, "$label has no PHPDoc");
            $tags = self::tags($doc);
            $this->assertDoesNotMatchRegularExpression('/@\w+ `/', $doc, "$label: a PHPDoc type is bare, not in backquotes");
            $params = [];
            foreach ($tags as [$tag, $rest]) {
                if ($tag === 'param') {
                    $this->assertMatchesRegularExpression('/^\S.*?\s+\$\w+(\s|$)/', $rest, "$label: @param $rest");
                    preg_match('/^(\S.*?)\s+\$(\w+)(?:\s|$)/', $rest, $m);
                    $params[$m[2]] = $m[1];
                }
            }
            $names = array_map(fn ($p) => $p->getName(), $f->getParameters());
            $this->assertSame($names, array_keys($params), "$label: one @param per parameter, in order");
            foreach ($f->getParameters() as $p) {
                if ((string) $p->getType() === 'mixed' || (string) $p->getType() === 'object') {
                    $this->assertNotSame('mixed', $params[$p->getName()], "$label: \${$p->getName()} needs a precise type");
                    $this->assertNotSame('object', $params[$p->getName()], "$label: \${$p->getName()} needs a precise type");
                }
            }
            $returns = array_values(array_filter($tags, fn ($t) => $t[0] === 'return'));
            if ($f->getName() === '__construct') {
                $this->assertSame([], $returns, "$label: a constructor returns nothing");
            } else {
                $this->assertCount(1, $returns, "$label: one @return");
                $this->assertMatchesRegularExpression('/^\S/', $returns[0][1], "$label: @return needs a type");
                if ((string) $f->getReturnType() === 'mixed') {
                    $this->assertDoesNotMatchRegularExpression('/^mixed(\s|$)/', $returns[0][1], "$label: @return needs a precise type");
                }
                if ((string) $f->getReturnType() === 'void') {
                    $this->assertSame('void', $returns[0][1], "$label: @return void");
                }
            }
            $checked++;
        }
        $this->assertGreaterThan(50, $checked);
    }

    public function testTheStubSignaturesAreTheExtensionsOwn(): void
    {
        [$code, $json, $stderr] = self::exec(
            escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__DIR__ . '/support/ApiShape.php') . ' ' . escapeshellarg(self::STUBS)
        );
        $this->assertSame(0, $code, $stderr);
        $stubs = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        $ext = json_decode(json_encode(\ApiShape::of(
            array_values(self::extension()->getClasses()),
            array_values(self::extension()->getFunctions())
        )), true);
        // One difference on purpose: where the engine's constructor only throws, the stub's
        // is private, so that an IDE flags `new`.
        foreach ($ext['classes'] as $name => $class) {
            $stubCtor = $stubs['classes'][$name]['methods']['__construct']['modifiers'] ?? null;
            if ($stubCtor === ['private']) {
                $this->assertSame(['public'], $class['methods']['__construct']['modifiers'], $name);
                try {
                    new $name();
                    $this->fail("$name: new works, the stub's constructor must not be private");
                } catch (\Exception $e) {
                    $this->assertSame('You cannot instantiate this class from PHP.', $e->getMessage());
                }
                $ext['classes'][$name]['methods']['__construct']['modifiers'] = ['private'];
            }
        }
        $this->assertSame($ext, $stubs);
        // The attributes that keep secrets out of traces are part of what is compared.
        $this->assertContains(
            'SensitiveParameter',
            $stubs['functions']['GlpiAgentProtocol\wrap_key']['parameters'][0]['attributes']
        );
    }

    public function testTheStubBodiesThrowWhenTheExtensionIsMissing(): void
    {
        $code = 'require $argv[1]; try { GlpiAgentProtocol\version(); } catch (\Error $e) { echo get_class($e), ": ", $e->getMessage(); }';
        [$exit, $stdout, $stderr] = self::exec(
            escapeshellarg(PHP_BINARY) . ' -n -r ' . escapeshellarg($code) . ' ' . escapeshellarg(self::STUBS)
        );
        $this->assertSame(0, $exit, $stderr);
        $this->assertSame('Error: the glpi_agent_protocol extension is not loaded', $stdout);
    }

    /** A copy of src/php in a temporary directory, with `$edit` applied to one file. */
    private static function sourcesWith(string $file, callable $edit): string
    {
        $dir = sys_get_temp_dir() . '/gap-stubs-' . bin2hex(random_bytes(6));
        mkdir($dir);
        foreach (glob(PROJECT_ROOT . '/src/php/*.rs') as $rs) {
            copy($rs, $dir . '/' . basename($rs));
        }
        $path = $dir . '/' . $file;
        $before = file_get_contents($path);
        $after = $edit($before);
        if ($after === $before) {
            throw new \LogicException("the edit changed nothing in $file");
        }
        file_put_contents($path, $after);
        return $dir;
    }

    private static function removeTree(string $dir): void
    {
        array_map('unlink', glob($dir . '/*.rs'));
        rmdir($dir);
    }

    /** @return iterable<string, array{string, callable, string}> */
    public static function undocumented(): iterable
    {
        yield 'a function without doc' => [
            'functions.rs',
            fn ($s) => preg_replace('#(///[^\n]*\n)+(?=\#\[php_function\]\n\#\[php\(name = "GlpiAgentProtocol\\\\\\\\generate_token"\)\])#', '', $s),
            'GlpiAgentProtocol\generate_token(): no /// doc comment in the Rust binding',
        ];
        yield 'a parameter without @param' => [
            'functions.rs',
            fn ($s) => preg_replace('#/// @param `int` \$level [^\n]*\n#', '', $s),
            'GlpiAgentProtocol\compress(): no @param for $level',
        ];
        yield 'a method without @return' => [
            'request.rs',
            fn ($s) => preg_replace('#    /// @return `\'json\'\|\'xml\'` [^\n]*\n#', '', $s),
            'GlpiAgentProtocol\Request::mode(): no @return',
        ];
        yield 'a hand-built method without doc' => [
            'errors.rs',
            fn ($s) => preg_replace('#(///[^\n]*\n)+(?=extern "C" fn pe_get_token)#', '', $s),
            'GlpiAgentProtocol\ProtocolException::getToken(): no /// doc comment in the Rust binding',
        ];
        yield 'a doc under a name the extension does not have' => [
            'request.rs',
            fn ($s) => str_replace('#[php(name = "agentId")]', '#[php(name = "agentIdentifier")]', $s),
            'GlpiAgentProtocol\Request::agentIdentifier(): documented in the Rust binding but not a method of the extension',
        ];
    }

    /** @dataProvider undocumented */
    public function testTheGeneratorRefusesAnUndocumentedApi(string $file, callable $edit, string $expected): void
    {
        $dir = self::sourcesWith($file, $edit);
        try {
            [$code, $stdout, $stderr] = self::generate($dir);
        } finally {
            self::removeTree($dir);
        }
        $this->assertSame(1, $code, $stderr);
        $this->assertSame('', $stdout, 'nothing is written when the API is not fully documented');
        $this->assertStringContainsString($expected, $stderr);
    }

    public function testTheGeneratorReadsTheDocsFromTheGivenSources(): void
    {
        $dir = self::sourcesWith('mod.rs', fn ($s) => str_replace(
            "/// The extension's version,",
            "/// The version of this build of the extension,",
            $s
        ));
        try {
            [$code, $stdout, $stderr] = self::generate($dir);
        } finally {
            self::removeTree($dir);
        }
        $this->assertSame(0, $code, $stderr);
        $this->assertStringContainsString("     * The version of this build of the extension,", $stdout);
        $this->assertStringNotContainsString("     * The extension's version,", $stdout);
    }
}
