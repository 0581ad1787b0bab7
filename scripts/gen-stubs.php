<?php
// Writes the PHP stub file of the loaded glpi_agent_protocol extension to stdout, from what
// Reflection sees in the built module, so the stub can never describe a different API than
// the one that ships. `make stubs` saves it; `make check-stubs` and StubsTest fail on drift.

declare(strict_types=1);

const EXTENSION = 'glpi_agent_protocol';

if (!extension_loaded(EXTENSION)) {
    fwrite(STDERR, "gen-stubs: the extension is not loaded (php -d extension=...)\n");
    exit(2);
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

$ext = new ReflectionExtension(EXTENSION);
$out = [];
$out[] = '<?php';
$out[] = '';
$out[] = '// Stubs for the glpi_agent_protocol extension ' . $ext->getVersion() . '.';
$out[] = '// Generated from the built extension by scripts/gen-stubs.php (make stubs): do not edit.';
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
        foreach ($methods as $m) {
            $mod = $m->isPublic() ? 'public' : ($m->isProtected() ? 'protected' : 'private');
            if ($m->isStatic()) {
                $mod .= ' static';
            }
            if ($m->isFinal()) {
                $mod = 'final ' . $mod;
            }
            $out[] = '        ' . $mod . ' function ' . signature($m) . ' {}';
        }
        $out[] = '    }';
        $out[] = '';
    }
    $functions = $items['functions'] ?? [];
    ksort($functions);
    foreach ($functions as $f) {
        $out[] = '    function ' . signature($f) . ' {}';
    }
    if (end($out) === '') {
        array_pop($out);
    }
    $out[] = '}';
    $out[] = '';
}

echo implode("\n", $out);
