<?php
// Writes the PHP stub file of the loaded glpi_agent_protocol extension to stdout, from what
// Reflection sees in the built module, so the stub can never describe a different API than
// the one that ships. `make stubs` saves it; `make check-stubs` and StubsTest fail on drift.
//
// Reflection has no doc comments for an extension's functions, so the PHPDoc comes from the
// `///` comments of the binding in src/php/*.rs, matched by PHP name. A public function or
// method without one, or a doc that leaves a parameter or the return value undocumented,
// stops the generator with a non-zero exit: the stubs cannot lose their documentation.
//
// Usage: php -d extension=... scripts/gen-stubs.php [--src DIR]   (DIR: default src/php)

declare(strict_types=1);

const EXTENSION = 'glpi_agent_protocol';
// What a stub body does when the stubs are loaded instead of the extension.
const BODY = "throw new \\Error('the glpi_agent_protocol extension is not loaded');";

if (!extension_loaded(EXTENSION)) {
    fwrite(STDERR, "gen-stubs: the extension is not loaded (php -d extension=...)\n");
    exit(2);
}

$src = __DIR__ . '/../src/php';
for ($i = 1; $i < $argc; $i++) {
    if ($argv[$i] === '--src' && isset($argv[$i + 1])) {
        $src = $argv[++$i];
    } else {
        fwrite(STDERR, "usage: gen-stubs.php [--src DIR]\n");
        exit(2);
    }
}

/** A Rust string literal's text as PHP sees the name (`\\` is one backslash). */
function rust_string(string $literal): string
{
    return str_replace('\\\\', '\\', $literal);
}

/** The name ext-php-rs gives a method that has no `#[php(name = ...)]`. */
function camel_case(string $rust): string
{
    return lcfirst(str_replace('_', '', ucwords($rust, '_')));
}

/** The PHP name a `#[php(name = "...")]` among the item's attributes sets, if any. */
function php_name(array $attributes): ?string
{
    foreach ($attributes as $a) {
        if (preg_match('/^#\[php\(name = "((?:[^"\\\\]|\\\\.)*)"\)\]$/', $a, $m)) {
            return rust_string($m[1]);
        }
    }
    return null;
}

/**
 * The doc comments of the binding's PHP items, from the Rust sources:
 * ['functions' => [name => doc], 'classes' => [name => doc], 'methods' => [class => [name => doc]]],
 * each doc a list of lines. Items are `#[php_function]`s, `#[php_class]` structs, every fn
 * of a `#[php_impl]` block, and the handlers of classes built by hand with ClassBuilder
 * (class doc on the const that holds the class name, method docs on the handler fns).
 */
function rust_docs(string $dir): array
{
    $out = ['functions' => [], 'classes' => [], 'methods' => []];
    $files = glob(rtrim($dir, '/') . '/*.rs');
    sort($files);
    $structs = [];
    $implMethods = [];
    foreach ($files as $file) {
        $text = file_get_contents($file);
        $lines = explode("\n", $text);
        $doc = [];
        $attributes = [];
        $impl = null;
        $fnDocs = [];
        $constDocs = [];
        for ($n = 0; $n < count($lines); $n++) {
            $line = $lines[$n];
            $t = trim($line);
            if ($impl !== null && $line === '}') {
                $impl = null;
            }
            if (str_starts_with($t, '///')) {
                $d = substr($t, 3);
                $doc[] = str_starts_with($d, ' ') ? substr($d, 1) : $d;
                continue;
            }
            if (str_starts_with($t, '#[')) {
                // An attribute may run over several lines: up to its closing bracket.
                while (substr_count($t, '[') > substr_count($t, ']') && $n + 1 < count($lines)) {
                    $t .= ' ' . trim($lines[++$n]);
                }
                $attributes[] = $t;
                continue;
            }
            // Items of an optional build (the panic-test feature) are not in the extension users load.
            if (preg_grep('/^#\[cfg\(feature = /', $attributes)) {
                $doc = [];
                $attributes = [];
                continue;
            }
            $isPhpClass = in_array('#[php_class]', $attributes, true);
            $isPhpImpl = in_array('#[php_impl]', $attributes, true);
            $isPhpFunction = in_array('#[php_function]', $attributes, true);
            if ($isPhpClass && preg_match('/^(?:pub(?:\(crate\))? )?struct (\w+)/', $t, $m)) {
                $name = php_name($attributes) ?? $m[1];
                $structs[$m[1]] = $name;
                $out['classes'][$name] = $doc;
            } elseif ($isPhpImpl && preg_match('/^impl (\w+) \{$/', $t, $m)) {
                $impl = $m[1];
            } elseif (preg_match('/^(?:pub(?:\(crate\))? )?(?:extern "C" )?fn (\w+)/', $t, $m)) {
                if ($isPhpFunction) {
                    $out['functions'][php_name($attributes) ?? $m[1]] = $doc;
                } elseif ($impl !== null && preg_match('/^    (?:pub(?:\(crate\))? )?fn /', $line)) {
                    $ctor = preg_grep('/^#\[php\((?:.*[(, ])?constructor[,)]/', $attributes);
                    $name = $ctor ? '__construct' : (php_name($attributes) ?? camel_case($m[1]));
                    $implMethods[$impl][$name] = $doc;
                } else {
                    $fnDocs[$m[1]] = $doc;
                }
            } elseif (preg_match('/^(?:pub(?:\(crate\))? )?const (\w+): &str = "((?:[^"\\\\]|\\\\.)*)";$/', $t, $m)) {
                $constDocs[$m[1]] = [rust_string($m[2]), $doc];
            }
            $doc = [];
            $attributes = [];
        }
        // Classes registered by hand: ClassBuilder::new(CONST) and the FunctionBuilders after it.
        $parts = preg_split('/ClassBuilder::new\((\w+)\)/', $text, -1, PREG_SPLIT_DELIM_CAPTURE);
        for ($k = 1; $k + 1 < count($parts); $k += 2) {
            if (!isset($constDocs[$parts[$k]])) {
                continue;
            }
            [$class, $classDoc] = $constDocs[$parts[$k]];
            $out['classes'][$class] = $classDoc;
            preg_match_all(
                '/FunctionBuilder::(?:new\(\s*"(\w+)",\s*(\w+)\s*\)|constructor\(\s*(\w+)\s*\))/',
                $parts[$k + 1],
                $builders,
                PREG_SET_ORDER
            );
            foreach ($builders as $b) {
                [$method, $handler] = ($b[1] ?? '') !== '' ? [$b[1], $b[2]] : ['__construct', $b[3]];
                $out['methods'][$class][$method] = $fnDocs[$handler] ?? [];
            }
        }
    }
    foreach ($implMethods as $struct => $methods) {
        $class = $structs[$struct] ?? $struct;
        $out['methods'][$class] = array_merge($out['methods'][$class] ?? [], $methods);
    }
    $out['functions'] = array_map('bare_types', $out['functions']);
    $out['classes'] = array_map('bare_types', $out['classes']);
    foreach ($out['methods'] as $class => $methods) {
        $out['methods'][$class] = array_map('bare_types', $methods);
    }
    return $out;
}

/**
 * The doc with the types of its tags out of their backquotes. In the Rust doc a tag's type
 * is code (`` @param `list<string>` $x ``), or rustdoc would read `<string>` as HTML; the
 * PHPDoc type is bare. A type may run over continuation lines up to its closing backquote.
 */
function bare_types(array $doc): array
{
    $open = false;
    foreach ($doc as $i => $line) {
        if (preg_match('/^(@(?:param|return|throws|var) )`(.*)$/', $line, $m)) {
            $line = $m[1] . $m[2];
            $open = true;
            $from = strlen($m[1]);
        } else {
            $from = 0;
        }
        if ($open && ($at = strpos($line, '`', $from)) !== false) {
            $line = substr($line, 0, $at) . substr($line, $at + 1);
            $open = false;
        }
        $doc[$i] = $line;
    }
    if ($open) {
        fwrite(STDERR, "gen-stubs: a tag type opens a backquote it never closes:\n  " . implode("\n  ", $doc) . "\n");
        exit(1);
    }
    return $doc;
}

/**
 * The tags of a doc: [['param', 'int $x ...'], ['return', '...'], ...]. An indented line
 * continues the tag above it (a long array shape, a long description).
 */
function doc_tags(array $doc): array
{
    $tags = [];
    foreach ($doc as $line) {
        if (preg_match('/^@(\w+)\s*(.*)$/', $line, $m)) {
            $tags[] = [$m[1], $m[2]];
        } elseif ($tags && preg_match('/^\s+(\S.*)$/', $line, $m)) {
            $tags[count($tags) - 1][1] .= ' ' . $m[1];
        }
    }
    return $tags;
}

/** What is wrong with `$doc` as the PHPDoc of `$f` (an empty list when nothing is). */
function doc_problems(array $doc, ReflectionFunctionAbstract $f): array
{
    $problems = [];
    $prose = array_filter($doc, fn ($l) => trim($l) !== '' && !str_starts_with($l, '@'));
    if (!$prose) {
        $problems[] = 'no description';
    }
    $documented = [];
    foreach (doc_tags($doc) as [$tag, $rest]) {
        if ($tag === 'param') {
            if (!preg_match('/^(\S.*?)\s+(?:\.\.\.)?\$(\w+)(?:\s|$)/', $rest, $m)) {
                $problems[] = "'@param $rest' has no type or no \$name";
                continue;
            }
            $documented[] = $m[2];
        }
    }
    $names = array_map(fn ($p) => $p->getName(), $f->getParameters());
    foreach (array_diff($names, $documented) as $missing) {
        $problems[] = "no @param for \$$missing";
    }
    foreach (array_diff($documented, $names) as $unknown) {
        $problems[] = "@param \$$unknown names no parameter";
    }
    if (!array_diff($names, $documented) && !array_diff($documented, $names) && $documented !== $names) {
        $problems[] = '@param tags not in the order of the parameters';
    }
    $returns = array_filter(doc_tags($doc), fn ($t) => $t[0] === 'return');
    $void = $f->hasReturnType() && (string) $f->getReturnType() === 'void';
    if (!$returns && !$void && $f->getShortName() !== '__construct') {
        $problems[] = 'no @return';
    }
    return $problems;
}

/** Whether `new $class()` throws before any argument is read: the class is not meant to be built. */
function not_instantiable(ReflectionClass $c): bool
{
    $ctor = $c->getConstructor();
    if ($c->isAbstract() || $c->isInterface() || $ctor === null || $ctor->getNumberOfParameters() > 0) {
        return false;
    }
    try {
        $c->newInstance();
    } catch (\Throwable $e) {
        return get_class($e) === \Exception::class && $e->getMessage() === 'You cannot instantiate this class from PHP.';
    }
    return false;
}

function export(mixed $v): string
{
    return $v === null ? 'null' : var_export($v, true);
}

function type_to_string(?ReflectionType $type): string
{
    if ($type === null) {
        return '';
    }
    if ($type instanceof ReflectionNamedType) {
        $name = $type->getName();
        if (!$type->isBuiltin()) {
            $name = '\\' . ltrim($name, '\\');
        }
        if ($type->allowsNull() && $name !== 'mixed' && $name !== 'null') {
            return '?' . $name;
        }
        return $name;
    }
    if ($type instanceof ReflectionUnionType) {
        $parts = array_map(fn ($t) => type_to_string($t), $type->getTypes());
        return implode('|', $parts);
    }
    return (string) $type;
}

function param_to_string(ReflectionParameter $p): string
{
    $s = '';
    foreach ($p->getAttributes() as $attribute) {
        $s .= '#[\\' . $attribute->getName() . '] ';
    }
    $type = type_to_string($p->getType());
    if ($type !== '') {
        $s .= $type . ' ';
    }
    if ($p->isPassedByReference()) {
        $s .= '&';
    }
    if ($p->isVariadic()) {
        $s .= '...';
    }
    $s .= '$' . $p->getName();
    if ($p->isOptional() && !$p->isVariadic()) {
        if ($p->isDefaultValueAvailable()) {
            $default = $p->isDefaultValueConstant()
                ? $p->getDefaultValueConstantName()
                : var_export($p->getDefaultValue(), true);
            $default = (string) $default;
            $s .= ' = ' . (strtolower($default) === 'null' ? 'null' : $default);
        }
    }
    return $s;
}

function signature(ReflectionFunctionAbstract $f): string
{
    $params = implode(', ', array_map('param_to_string', $f->getParameters()));
    $ret = $f->hasReturnType() ? ': ' . type_to_string($f->getReturnType()) : '';
    return $f->getShortName() . '(' . $params . ')' . $ret;
}

/** A declaration with its PHPDoc and a body that throws, indented by `$indent`. */
function declaration(array $doc, string $head, string $indent): array
{
    return [...phpdoc($doc, $indent), $indent . $head, $indent . '{', $indent . '    ' . BODY, $indent . '}'];
}

/** `$doc` as a PHPDoc block, indented by `$indent`. */
function phpdoc(array $doc, string $indent): array
{
    while ($doc && trim(end($doc)) === '') {
        array_pop($doc);
    }
    $out = [$indent . '/**'];
    foreach ($doc as $line) {
        $line = str_replace('*/', '*\\/', $line);
        $out[] = rtrim($indent . ' * ' . $line);
    }
    $out[] = $indent . ' */';
    return $out;
}

$docs = rust_docs($src);
$errors = [];
$used = [];

/** The doc of a reflected item, recording problems in `$errors`. */
function checked_doc(?array $doc, ReflectionFunctionAbstract $f, string $label, array &$errors): array
{
    if ($doc === null || $doc === []) {
        $errors[] = "$label: no /// doc comment in the Rust binding";
        return [];
    }
    foreach (doc_problems($doc, $f) as $problem) {
        $errors[] = "$label: $problem";
    }
    return $doc;
}

$ext = new ReflectionExtension(EXTENSION);
$out = [];
$out[] = '<?php';
$out[] = '';
$out[] = '// Stubs for the glpi_agent_protocol extension ' . $ext->getVersion() . '.';
$out[] = '// Generated from the built extension and the doc comments of src/php/*.rs by';
$out[] = '// scripts/gen-stubs.php (make stubs): do not edit.';
$out[] = '';
$out[] = '// @generated';
$out[] = '';

$byNamespace = [];
foreach ($ext->getConstants() as $name => $value) {
    $pos = strrpos($name, '\\');
    $ns = $pos === false ? '' : substr($name, 0, $pos);
    $byNamespace[$ns]['constants'][substr($name, $pos === false ? 0 : $pos + 1)] = $value;
}
foreach ($ext->getFunctions() as $f) {
    $byNamespace[$f->getNamespaceName()]['functions'][$f->getShortName()] = $f;
}
foreach ($ext->getClasses() as $c) {
    $byNamespace[$c->getNamespaceName()]['classes'][$c->getShortName()] = $c;
}
ksort($byNamespace);

foreach ($byNamespace as $ns => $items) {
    $out[] = 'namespace ' . $ns . ' {';
    $constants = $items['constants'] ?? [];
    ksort($constants);
    foreach ($constants as $name => $value) {
        $out[] = '    const ' . $name . ' = ' . var_export($value, true) . ';';
    }
    if ($constants) {
        $out[] = '';
    }
    $classes = $items['classes'] ?? [];
    ksort($classes);
    foreach ($classes as $c) {
        $className = $c->getName();
        $used['classes'][$className] = true;
        if (($docs['classes'][$className] ?? []) === []) {
            $errors[] = "class $className: no /// doc comment in the Rust binding";
        } else {
            array_push($out, ...phpdoc($docs['classes'][$className], '    '));
        }
        $head = '    ';
        if ($c->isFinal()) {
            $head .= 'final ';
        }
        if ($c->isAbstract() && !$c->isInterface()) {
            $head .= 'abstract ';
        }
        $head .= ($c->isInterface() ? 'interface ' : 'class ') . $c->getShortName();
        if ($parent = $c->getParentClass()) {
            $head .= ' extends \\' . $parent->getName();
        }
        $ifaces = array_diff($c->getInterfaceNames(), $c->getParentClass() ? $c->getParentClass()->getInterfaceNames() : []);
        if ($ifaces) {
            sort($ifaces);
            $head .= ' implements ' . implode(', ', array_map(fn ($i) => '\\' . $i, $ifaces));
        }
        $out[] = $head;
        $out[] = '    {';
        $consts = $c->getReflectionConstants();
        usort($consts, fn ($a, $b) => strcmp($a->getName(), $b->getName()));
        foreach ($consts as $k) {
            if ($k->getDeclaringClass()->getName() !== $c->getName()) {
                continue;
            }
            $out[] = '        public const ' . $k->getName() . ' = ' . var_export($k->getValue(), true) . ';';
        }
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() !== $c->getName()) {
                continue;
            }
            $vis = $p->isPublic() ? 'public' : ($p->isProtected() ? 'protected' : 'private');
            $line = '        ' . $vis . ($p->isStatic() ? ' static' : '') . ($p->isReadOnly() ? ' readonly' : '');
            $type = type_to_string($p->getType());
            $line .= ($type !== '' ? ' ' . $type : '') . ' $' . $p->getName();
            if ($p->hasDefaultValue() && !$p->isReadOnly()) {
                $line .= ' = ' . export($p->getDefaultValue());
            }
            $out[] = $line . ';';
        }
        $methods = array_filter($c->getMethods(), fn ($m) => $m->getDeclaringClass()->getName() === $c->getName());
        usort($methods, fn ($a, $b) => strcmp($a->getName(), $b->getName()));
        $sealed = not_instantiable($c);
        $staticOnly = !array_filter($methods, fn ($m) => !$m->isStatic() && $m->getName() !== '__construct');
        foreach ($methods as $m) {
            $mod = $m->isPublic() ? 'public' : ($m->isProtected() ? 'protected' : 'private');
            $label = $className . '::' . $m->getName() . '()';
            if ($m->getName() === '__construct' && $sealed && !isset($docs['methods'][$className]['__construct'])) {
                // The engine's constructor only throws: the stub makes `new` an error an IDE sees.
                $doc = $staticOnly
                    ? ['Not instantiable: a class of static methods only (`new` throws an \\Exception).']
                    : ['Not instantiable: the extension\'s own methods make the objects (`new` throws an \\Exception).'];
                $mod = 'private';
            } else {
                $doc = checked_doc($docs['methods'][$className][$m->getName()] ?? null, $m, $label, $errors);
            }
            $used['methods'][$className][$m->getName()] = true;
            if ($m->isStatic()) {
                $mod .= ' static';
            }
            if ($m->isFinal()) {
                $mod = 'final ' . $mod;
            }
            if (end($out) !== '    {') {
                $out[] = '';
            }
            array_push($out, ...declaration($doc, $mod . ' function ' . signature($m), '        '));
        }
        $out[] = '    }';
        $out[] = '';
    }
    $functions = $items['functions'] ?? [];
    ksort($functions);
    foreach ($functions as $f) {
        $used['functions'][$f->getName()] = true;
        $doc = checked_doc($docs['functions'][$f->getName()] ?? null, $f, $f->getName() . '()', $errors);
        array_push($out, ...declaration($doc, 'function ' . signature($f), '    '));
        $out[] = '';
    }
    if (end($out) === '') {
        array_pop($out);
    }
    $out[] = '}';
    $out[] = '';
}

// A doc whose PHP name the extension does not have documents nothing (a renamed method).
foreach ($docs['functions'] as $name => $_) {
    if (!isset($used['functions'][$name])) {
        $errors[] = "$name(): documented in the Rust binding but not a function of the extension";
    }
}
foreach ($docs['methods'] as $class => $methods) {
    foreach ($methods as $name => $_) {
        if (isset($used['classes'][$class]) && !isset($used['methods'][$class][$name])) {
            $errors[] = "$class::$name(): documented in the Rust binding but not a method of the extension";
        }
    }
}

if ($errors) {
    sort($errors);
    fwrite(STDERR, "gen-stubs: the PHP API is not fully documented (doc comments in $src):\n");
    foreach ($errors as $e) {
        fwrite(STDERR, "  $e\n");
    }
    exit(1);
}

echo implode("\n", $out);
